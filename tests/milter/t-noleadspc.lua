-- t-noleadspc.lua - the same repair when the MTA strips the space after
-- the colon (no SMFIP_HDR_LEADSPC): calmilter puts it back
-- log: NOLEAD1 action=changed
dofile(top .. "/tests/milter/lib.lua")

local msg = lib_read(small_invite)
local conn = lib_connect(steps_without_leadspc)
assert(not mt.test_option(conn, SMFIP_HDR_LEADSPC), "LEADSPC granted")
local reply, stage = lib_send(conn, "NOLEAD1", msg, false)
assert(stage == "eom", "let go at " .. stage)
lib_check_like_calnorm(conn, msg, false)
mt.disconnect(conn)
