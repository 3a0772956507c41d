-- t-limit.lua - past MaxMessageSize (64K in run.sh) the message is let go
-- unchanged, with one log line
-- log: LIMIT1 action=unchanged reason=limit limit=MaxMessageSize
dofile(top .. "/tests/milter/lib.lua")

local msg = lib_read(fixtures .. "broken-invite.eml")
local pad = string.rep("padding line to push the message past the limit\r\n",
    2000)
msg = msg:gsub("\r\n\r\nThis is a multi%-part", "\r\n\r\n" .. pad ..
    "This is a multi-part", 1)
local conn = lib_connect(nil)
local reply, stage = lib_send(conn, "LIMIT1", msg, true)
assert(stage == "body", "let go at " .. stage)
assert(reply == SMFIR_ACCEPT, "body reply")
mt.disconnect(conn)
