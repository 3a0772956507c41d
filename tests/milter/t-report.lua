-- t-report.lua - Mode report (t-report.conf): the broken invite is found
-- and logged, and the message is left exactly as it was
-- log: REPORT1 action=report
dofile(top .. "/tests/milter/lib.lua")

local msg = lib_read(small_invite)
local conn = lib_connect(nil)
local reply, stage = lib_send(conn, "REPORT1", msg, true)
assert(stage == "eom", "let go at " .. stage)
assert(not mt.eom_check(conn, MT_BODYCHANGE), "body changed in report mode")
assert(not mt.eom_check(conn, MT_HDRADD), "header added in report mode")
assert(not mt.eom_check(conn, MT_HDRCHANGE), "header changed in report mode")
assert(not mt.eom_check(conn, MT_HDRDELETE), "header deleted in report mode")
mt.disconnect(conn)
