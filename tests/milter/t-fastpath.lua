-- t-fastpath.lua - a message that cannot hold a calendar is let go at the
-- end of its headers: no body is fetched, nothing is changed
dofile(top .. "/tests/milter/lib.lua")

local msg = lib_read(fixtures .. "plain.eml")
local conn = lib_connect(nil)
local reply, stage = lib_send(conn, "PLAIN1", msg, true)
assert(stage == "eoh", "plain message not let go at eoh but at " .. stage)
assert(reply == SMFIR_ACCEPT, "eoh reply")
mt.disconnect(conn)
