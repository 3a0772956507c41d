-- t-lifecycle.lua - aborted, abandoned and empty transactions leave the
-- daemon sound: a message sent afterwards is still repaired
-- log: LIFE9 action=changed
dofile(top .. "/tests/milter/lib.lua")

local msg = lib_read(small_invite)
local fields = lib_split(msg)

-- connect and close, nothing else
local conn = lib_connect(nil)
mt.disconnect(conn)

-- abort after the headers; a new MAIL FROM with a message in flight;
-- then a rude disconnect in the middle of a message
conn = lib_connect(nil)
assert(mt.macro(conn, SMFIC_MAIL, "i", "LIFE1") == nil)
assert(mt.mailfrom(conn, "<a@sender.test>") == nil)
for _, f in ipairs(fields) do
	assert(mt.header(conn, f.name, f.value) == nil)
end
assert(mt.abort(conn) == nil)
assert(mt.macro(conn, SMFIC_MAIL, "i", "LIFE2") == nil)
assert(mt.mailfrom(conn, "<a@sender.test>") == nil)
assert(mt.header(conn, "Content-Type", " multipart/mixed") == nil)
assert(mt.macro(conn, SMFIC_MAIL, "i", "LIFE3") == nil)
assert(mt.mailfrom(conn, "<a@sender.test>") == nil)
assert(mt.header(conn, "Content-Type", " multipart/mixed") == nil)
assert(mt.eoh(conn) == nil)
assert(mt.bodystring(conn, "half a body\r\n") == nil)
mt.disconnect(conn, false)

-- two messages on one connection, the second one broken
conn = lib_connect(nil)
local reply, stage = lib_send(conn, "LIFE8", lib_read(fixtures .. "plain.eml"),
    true)
assert(stage == "eoh", "plain let go at " .. stage)
reply, stage = lib_send(conn, "LIFE9", msg, true)
assert(stage == "eom", "invite let go at " .. stage)
lib_check_like_calnorm(conn, msg, true)
mt.disconnect(conn)
