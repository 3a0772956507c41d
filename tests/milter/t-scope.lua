-- t-scope.lua - ScopeDomains (t-scope.conf): recipients are asked for; a
-- message with none in a listed domain is let go at DATA, before a header
-- is sent; one recipient there is enough for the whole message (its body is
-- one for all recipients), and the broken invite is repaired like calnorm
-- repairs it
-- log: SCOPE1 action=unchanged scope=out
-- log: SCOPE2 action=changed
dofile(top .. "/tests/milter/lib.lua")

local msg = lib_read(small_invite)
local conn = lib_connect(nil)
assert(not mt.test_option(conn, SMFIP_NORCPT), "RCPT TO not asked for")
assert(not mt.test_option(conn, SMFIP_NODATA), "DATA not asked for")
local reply, stage = lib_send(conn, "SCOPE1", msg, true,
    { rcpts = { "<carol@elsewhere.test>", "<dave@example.net.org>" } })
assert(stage == "data", "out of scope: let go at " .. stage)
assert(reply == SMFIR_ACCEPT, "out of scope: data reply")

reply, stage = lib_send(conn, "SCOPE2", msg, true,
    { rcpts = { "<carol@elsewhere.test>", "<Bob@Example.NET>" } })
assert(stage == "eom", "in scope: let go at " .. stage)
lib_check_like_calnorm(conn, msg, true)
mt.disconnect(conn)
