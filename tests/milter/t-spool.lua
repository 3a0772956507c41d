-- t-spool.lua - past SpoolThreshold (64K here) a message goes to an
-- unlinked file: read back whole at eom, for the body scan and the worker
-- log: SPOOL1 action=unchanged fast=scan
-- log: SPOOL2 action=unchanged parts=1
dofile(top .. "/tests/milter/lib.lua")

local pad = string.rep("JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmls\r\n",
    3000)	-- 180 KB
local head = "From: a@example.org\r\nTo: b@example.net\r\nSubject: big\r\n" ..
    "Date: Mon, 10 Mar 2025 09:46:40 +0000\r\nMIME-Version: 1.0\r\n" ..
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" ..
    "--b\r\nContent-Type: application/pdf; name=\"big.pdf\"\r\n" ..
    "Content-Transfer-Encoding: base64\r\n\r\n" .. pad

-- no calendar: the scan of the spooled body says so
local conn = lib_connect(nil)
local reply, stage = lib_send(conn, "SPOOL1", head .. "--b--\r\n", true)
assert(stage == "eom", "SPOOL1 let go at " .. stage)
assert(reply == SMFIR_ACCEPT, "SPOOL1 reply")
mt.disconnect(conn)

-- a conforming calendar after 180 KB: found by the worker in the spool
-- (conforming, since miltertest cannot take a big replacement body)
conn = lib_connect(nil)
reply, stage = lib_send(conn, "SPOOL2", head ..
    "--b\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST" ..
    "\r\n\r\n" .. lib_events(1, "DTSTAMP:20250310T094640Z\r\n" ..
    "SEQUENCE:0\r\nDTEND:20250310T100000Z\r\n" ..
    "ORGANIZER:mailto:a@example.org\r\n" ..
    "ATTENDEE:mailto:b@example.org\r\n") ..
    "--b--\r\n", true)
assert(stage == "eom", "SPOOL2 let go at " .. stage)
mt.disconnect(conn)

-- both went to a file
local f = assert(io.open(tmp .. "/log", "rb"))
local log = f:read("a")
f:close()
local _, n = log:gsub("past SpoolThreshold %(65536 bytes%) goes to a file", "")
assert(n == 2, n .. " messages spooled, want 2")
