-- t-invite.lua - a broken invite is repaired exactly as calnorm repairs it
-- log: INVITE1 action=changed
dofile(top .. "/tests/milter/lib.lua")

local msg = lib_read(small_invite)
local conn = lib_connect(nil)
assert(mt.test_option(conn, SMFIP_HDR_LEADSPC), "SMFIP_HDR_LEADSPC not asked")
assert(mt.test_action(conn, SMFIF_CHGBODY), "SMFIF_CHGBODY not asked")
assert(not mt.test_option(conn, SMFIP_NR_EOH), "SMFIP_NR_EOH asked")
local reply, stage = lib_send(conn, "INVITE1", msg, true)
assert(stage == "eom", "let go at " .. stage)
assert(reply == SMFIR_ACCEPT or reply == SMFIR_CONTINUE, "eom reply")
lib_check_like_calnorm(conn, msg, true)
mt.disconnect(conn)
