-- t-limits.lua - each limit of t-limits.conf, hit by one message: the
-- message is accepted unchanged, never tempfailed (OnError tempfail is set,
-- and a limit is not an error), with one summary line naming the limit
-- log: LDEPTH action=unchanged
-- log: LPARTS action=unchanged
-- log: LSIZE action=unchanged
-- log: LLINE action=unchanged
-- log: LPROPS action=unchanged
-- log: LCOMPS action=unchanged
-- log: LNONE action=changed
dofile(top .. "/tests/milter/lib.lua")

local conn = lib_connect(nil)

-- send_limited - msg is let go at eom with ACCEPT, and the line says why
local function send_limited(qid, msg, ...)
	local reply, stage = lib_send(conn, qid, msg, true)
	assert(stage == "eom", qid .. " let go at " .. stage)
	assert(reply == SMFIR_ACCEPT, qid .. ": not accepted (tempfailed?)")
	lib_expect_summary(qid, "action=unchanged", "reason=limit", ...)
end

local small = lib_events(1)

-- three levels: mixed > message/rfc822 > mixed > calendar
send_limited("LDEPTH", "From: a@example.org\r\nMIME-Version: 1.0\r\n" ..
    "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n" ..
    "Content-Type: message/rfc822\r\n\r\n" .. lib_calendar_message(small) ..
    "--o--\r\n", "detail=\"MaxMimeDepth (2)\"")

local parts = ""
for i = 1, 6 do
	parts = parts .. "--b\r\nContent-Type: text/plain\r\n\r\npart " .. i ..
	    "\r\n"
end
send_limited("LPARTS", lib_calendar_message(small):gsub("%-%-b\r\n",
    parts .. "--b\r\n", 1), "detail=\"MaxMimeParts (6)\"")

-- five long lines of 1900 octets each (folded): over 8K, under the others
local long = "X-FILLER:" .. string.rep(string.rep("x", 74) .. "\r\n ", 25) ..
    "end\r\n"
send_limited("LSIZE", lib_calendar_message(lib_events(1, string.rep(long, 5))),
    "MaxPartSize (8192): object of ")

send_limited("LLINE", lib_calendar_message(lib_events(1,
    "DESCRIPTION:" .. string.rep("0123456789abcdef0123456789abcdef" ..
    "0123456789abcdef0123456789\r\n ", 50) .. "end\r\n")),
    "MaxLineLength (2048): a longer line")

send_limited("LPROPS", lib_calendar_message(lib_events(2,
    string.rep("X-FILLER:x\r\n", 30))), "MaxProperties (60): more content")

send_limited("LCOMPS", lib_calendar_message(lib_events(5)),
    "MaxComponents (5): more components")

-- under every limit: repaired as usual (DTSTAMP is missing)
local reply, stage = lib_send(conn, "LNONE", lib_calendar_message(small),
    true)
assert(stage == "eom" and reply == SMFIR_ACCEPT, "LNONE")
lib_expect_summary("LNONE", "action=changed")
mt.disconnect(conn)
