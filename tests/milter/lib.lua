-- tests/milter/lib.lua - what every calmilter miltertest script shares
--
-- run.sh defines the globals top (source tree), port (the daemon's inet
-- port), tmp (a scratch directory holding its calmilter.conf and its log),
-- calnorm (the binary) and pid (the daemon's process id); each script
-- loads this file first.

-- what an MTA without SMFIP_HDR_LEADSPC offers (mt.negotiate's 3rd
-- argument is the protocol steps, the 4th the actions)
steps_without_leadspc = SMFIP_NOHELO + SMFIP_NORCPT + SMFIP_NOUNKNOWN
    + SMFIP_NODATA + SMFIP_SKIP

fixtures = top .. "/tests/fixtures/e2e/"

-- A broken invite whose repaired body stays under 1 KB: miltertest 1.6.0
-- reads each reply of the milter into a 1024-byte stack buffer and crashes
-- ("stack smashing detected") on a larger replacement body. Byte-for-byte
-- checks of big messages belong to the Postfix end-to-end test.
small_invite = top .. "/tests/milter/small-invite.eml"

-- lib_connect - a negotiated connection; steps nil offers everything
function lib_connect(steps)
	local conn = mt.connect("inet:" .. port .. "@127.0.0.1", 50, 0.1)
	assert(conn ~= nil, "cannot connect to calmilter")
	assert(mt.negotiate(conn, nil, steps, nil) == nil, "negotiate")
	assert(mt.conninfo(conn, "localhost", "127.0.0.1") == nil, "conninfo")
	return conn
end

-- lib_read - a file's bytes, with every line ending CRLF (as on the wire)
function lib_read(path)
	local f = assert(io.open(path, "rb"))
	local s = f:read("a")
	f:close()
	return (s:gsub("\r?\n", "\r\n"))
end

-- lib_split - header fields {name, value} as an MTA hands them to a
-- milter (folding as "\n", value from just after the colon), and the body
function lib_split(msg)
	local sep = assert(msg:find("\r\n\r\n", 1, true), "no header end")
	local block, body = msg:sub(1, sep + 1), msg:sub(sep + 4)
	local fields = {}
	for line in block:gmatch("(.-)\r\n") do
		if line:match("^[ \t]") and #fields > 0 then
			local f = fields[#fields]
			f.value = f.value .. "\n" .. line
		else
			local name, value = line:match("^([^:]+):(.*)$")
			fields[#fields + 1] = { name = name, value = value }
		end
	end
	return fields, body
end

-- lib_send - one message; returns the last reply and the stage that got
-- it ("mail", "rcpt", "data", "header", "eoh", "body" or "eom"): where
-- calmilter let it go. env, when given, holds from (the envelope sender),
-- rcpts (a list: RCPT TO and DATA are then sent) and macros (name, value
-- pairs added to MAIL's).
function lib_send(conn, qid, msg, leadspc, env)
	local fields, body = lib_split(msg)
	env = env or {}
	assert(mt.macro(conn, SMFIC_MAIL, "i", qid,
	    table.unpack(env.macros or {})) == nil, "macro")
	assert(mt.mailfrom(conn, env.from or "<sender@example.com>") == nil,
	    "mailfrom")
	if mt.getreply(conn) ~= SMFIR_CONTINUE then
		return mt.getreply(conn), "mail"
	end
	for _, r in ipairs(env.rcpts or {}) do
		assert(mt.rcptto(conn, r) == nil, "rcptto")
		if mt.getreply(conn) ~= SMFIR_CONTINUE then
			return mt.getreply(conn), "rcpt"
		end
	end
	if env.rcpts then
		assert(mt.data(conn) == nil, "data")
		if mt.getreply(conn) ~= SMFIR_CONTINUE then
			return mt.getreply(conn), "data"
		end
	end
	for _, f in ipairs(fields) do
		local v = f.value
		if not leadspc then
			v = v:gsub("^[ \t]+", "")
		end
		assert(mt.header(conn, f.name, v) == nil, "header " .. f.name)
		if mt.getreply(conn) ~= SMFIR_CONTINUE then
			return mt.getreply(conn), "header"
		end
	end
	assert(mt.eoh(conn) == nil, "eoh")
	if mt.getreply(conn) ~= SMFIR_CONTINUE then
		return mt.getreply(conn), "eoh"
	end
	for i = 1, #body, 32768 do
		assert(mt.bodystring(conn, body:sub(i, i + 32767)) == nil, "body")
		if mt.getreply(conn) ~= SMFIR_CONTINUE then
			return mt.getreply(conn), "body"
		end
	end
	assert(mt.eom(conn) == nil, "eom")
	return mt.getreply(conn), "eom"
end

-- lib_calnorm - what build/calnorm makes of msg (same defaults as run.sh)
function lib_calnorm(msg)
	local path = tmp .. "/calnorm.in"
	local f = assert(io.open(path, "wb"))
	f:write(msg)
	f:close()
	local p = assert(io.popen(calnorm .. " -c " .. tmp ..
	    "/calmilter.conf " .. path, "r"))
	local out = p:read("a")
	p:close()
	return out
end

-- lib_header - the value of the first field called name, or nil
function lib_header(fields, name)
	for _, f in ipairs(fields) do
		if f.name:lower() == name:lower() then
			return f.value
		end
	end
	return nil
end

-- lib_check_like_calnorm - the edits of the last eom make what calnorm
-- makes of msg: the same body and the same trace header
function lib_check_like_calnorm(conn, msg, leadspc)
	local want = lib_calnorm(msg)
	assert(want ~= msg, "calnorm changes nothing: the fixture is not broken")
	local fields, body = lib_split(want)
	local trace = assert(lib_header(fields, "X-Calmilter"), "no trace")
	if not leadspc then
		trace = trace:gsub("^[ \t]+", "")
	end
	assert(mt.eom_check(conn, MT_BODYCHANGE, body),
	    "new body differs from calnorm's")
	assert(mt.eom_check(conn, MT_HDRADD, "X-Calmilter", trace) or
	    mt.eom_check(conn, MT_HDRCHANGE, "X-Calmilter", trace),
	    "trace header differs from calnorm's")
end

-- lib_summary - the daemon's summary line for qid (run.sh logs to
-- tmp/log; the line is written before eom is answered), or nil
function lib_summary(qid)
	local f = assert(io.open(tmp .. "/log", "rb"))
	local found = nil
	for line in f:lines() do
		if line:find(": " .. qid .. ": action=", 1, true) then
			found = line
		end
	end
	f:close()
	return found
end

-- lib_expect_summary - the summary line of qid holds each plain string
function lib_expect_summary(qid, ...)
	local line = assert(lib_summary(qid), "no summary line for " .. qid)
	for _, want in ipairs({...}) do
		assert(line:find(want, 1, true),
		    qid .. ": \"" .. want .. "\" not in: " .. line)
	end
end

-- lib_calendar_message - a multipart/mixed message whose second part is
-- the text/calendar cal (CRLF lines)
function lib_calendar_message(cal)
	return "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\n" ..
	    "Subject: limits\r\nDate: Mon, 10 Mar 2025 09:46:40 +0000\r\n" ..
	    "MIME-Version: 1.0\r\n" ..
	    "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" ..
	    "--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n--b\r\n" ..
	    "Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n" ..
	    "\r\n" .. cal .. "--b--\r\n"
end

-- lib_events - a VCALENDAR of n events, each with extra (CRLF lines)
function lib_events(n, extra)
	local s = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" ..
	    "METHOD:REQUEST\r\n"
	for i = 1, n do
		s = s .. "BEGIN:VEVENT\r\nUID:ev" .. i .. "@example.org\r\n" ..
		    "DTSTART:20250310T090000Z\r\nSUMMARY:x\r\n" .. (extra or "") ..
		    "END:VEVENT\r\n"
	end
	return s .. "END:VCALENDAR\r\n"
end

-- lib_log_count - how many lines of the daemon's log hold the plain string
function lib_log_count(want)
	local f = assert(io.open(tmp .. "/log", "rb"))
	local n = 0
	for line in f:lines() do
		if line:find(want, 1, true) then
			n = n + 1
		end
	end
	f:close()
	return n
end

-- lib_wait_log - wait (at most 10 s) until the log holds want n times
function lib_wait_log(want, n)
	for _ = 1, 100 do
		if lib_log_count(want) >= (n or 1) then
			return
		end
		os.execute("sleep 0.1")
	end
	error("no log line \"" .. want .. "\" after 10 s")
end

-- lib_signal - send the daemon a signal ("USR1", "USR2")
function lib_signal(sig)
	assert(os.execute("kill -" .. sig .. " " .. pid), "kill -" .. sig)
end

-- lib_send_all_but_eom - a message up to its body, without eom: in flight
function lib_send_all_but_eom(conn, qid, msg)
	local fields, body = lib_split(msg)
	assert(mt.macro(conn, SMFIC_MAIL, "i", qid) == nil, "macro")
	assert(mt.mailfrom(conn, "<sender@example.com>") == nil, "mailfrom")
	for _, f in ipairs(fields) do
		assert(mt.header(conn, f.name, f.value) == nil, "header")
		assert(mt.getreply(conn) == SMFIR_CONTINUE, "let go early")
	end
	assert(mt.eoh(conn) == nil, "eoh")
	assert(mt.bodystring(conn, body) == nil, "body")
end
