-- t-fastpath.lua - a message that cannot hold a calendar is let go at the
-- end of its headers: no body is fetched, nothing is changed
dofile(top .. "/tests/milter/lib.lua")

local msg = lib_read(fixtures .. "plain.eml")
local conn = lib_connect(nil)
local reply, stage = lib_send(conn, "PLAIN1", msg, true)
assert(stage == "eoh", "plain message not let go at eoh but at " .. stage)
assert(reply == SMFIR_ACCEPT, "eoh reply")
mt.disconnect(conn)

-- a multipart message whose part headers cannot start a calendar or vCard
-- part: the body scan lets it go at eom without a worker
local pdf = "From: a@example.org\r\nTo: b@example.net\r\nSubject: pdf\r\n" ..
    "Date: Mon, 10 Mar 2025 09:46:40 +0000\r\nMIME-Version: 1.0\r\n" ..
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" ..
    "--b\r\nContent-Type: text/plain\r\n\r\nsee the report\r\n--b\r\n" ..
    "Content-Type: application/pdf; name=\"report.pdf\"\r\n" ..
    "Content-Transfer-Encoding: base64\r\n\r\n" ..
    string.rep("JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmls\r\n",
        600) .. "--b--\r\n"
conn = lib_connect(nil)
reply, stage = lib_send(conn, "SCAN1", pdf, true)
assert(stage == "eom", "multipart without calendar let go at " .. stage)
assert(reply == SMFIR_ACCEPT, "eom reply")
mt.disconnect(conn)

-- the same with a calendar part whose Content-Type is cut in two by the
-- body chunks (lib_send sends 32 KB each): found, and read by a worker (the
-- calendar conforms: miltertest cannot take a 32 KB replacement body)
local head = pdf:sub(1, pdf:find("--b\r\nContent-Type: application/pdf", 1,
    true) - 1)
local body_at = head:find("\r\n\r\n", 1, true) + 4
local field = "--b\r\nContent-Ty"
local cut = body_at + 32767 - #field - #head
local inv = head .. string.rep("x", cut - 2) .. "\r\n" ..
    "--b\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST" ..
    "\r\n\r\n" .. lib_events(1, "DTSTAMP:20250310T094640Z\r\n" ..
    "SEQUENCE:0\r\nDTEND:20250310T100000Z\r\n" ..
    "ORGANIZER:mailto:a@example.org\r\n" ..
    "ATTENDEE:mailto:b@example.org\r\n") ..
    "--b--\r\n"
assert(inv:sub(body_at + 32767 - #field + 1, body_at + 32767) == field,
    "t-fastpath: the field is not cut at the chunk's end")
conn = lib_connect(nil)
reply, stage = lib_send(conn, "SCAN2", inv, true)
assert(stage == "eom", "let go at " .. stage)
mt.disconnect(conn)

-- the log: SCAN1 never went to a worker, SCAN2 did
local f = assert(io.open(tmp .. "/log", "rb"))
local log = f:read("a")
f:close()
assert(log:find("SCAN1: action=unchanged fast=scan", 1, true),
    "no fast=scan line for SCAN1")
assert(not log:find("SCAN1: %d+ bytes to a worker"), "SCAN1 went to a worker")
assert(log:find("SCAN2: %d+ bytes to a worker"), "SCAN2 did not go to a worker")
assert(log:find("SCAN2: action=unchanged parts=1", 1, true),
    "SCAN2's calendar part not seen")
