-- t-reload.lua - SIGUSR1 reloads the configuration (t-reload.conf: Mode
-- report, MissingMethod leave): a message in flight finishes under the
-- configuration it started with, in the daemon and in its worker; the
-- next one runs under the new one; a file with an error is refused with
-- FILE:LINE and the configuration in force stays
-- (no-method.eml: a calendar without METHOD, whose DTSTAMP is missing too)
-- log: RELOAD1 action=report parts=1 changed=1 rules=R-EV-1,R-ITIP-6 outcome=report
-- log: RELOAD2 action=report parts=1 changed=1 rules=R-EV-1,R-ITIP-6 outcome=report
-- log: RELOAD3 action=changed parts=1 changed=1 rules=R-EV-1,R-ITIP-1,R-ITIP-6,R-MIME-1 outcome=normalized
-- log: RELOAD4 action=changed parts=1 changed=1 rules=R-EV-1,R-ITIP-1,R-ITIP-6,R-MIME-1 outcome=normalized
dofile(top .. "/tests/milter/lib.lua")

local conf = tmp .. "/calmilter.conf"
local msg = lib_read(top .. "/tests/milter/no-method.eml")
-- the daemon reads the file again as UserID, no longer as root
assert(os.execute("chmod 755 " .. tmp .. " && chmod 644 " .. conf))

-- conf_write - the configuration file: run.sh's first lines, then extra
local base = {}
for line in io.lines(conf) do
	if line ~= "Mode report" and line ~= "MissingMethod leave" then
		base[#base + 1] = line
	end
end
local function conf_write(extra)
	local f = assert(io.open(conf .. ".new", "w"))
	f:write(table.concat(base, "\n") .. "\n" .. extra)
	f:close()
	assert(os.execute("chmod 644 " .. conf .. ".new"))
	assert(os.rename(conf .. ".new", conf))
end

-- under the first configuration: reported, not changed
local conn = lib_connect(nil)
local reply, stage = lib_send(conn, "RELOAD1", msg, true)
assert(stage == "eom", "let go at " .. stage)
assert(not mt.eom_check(conn, MT_BODYCHANGE), "changed in report mode")
mt.disconnect(conn)

-- a message in flight across a reload to Mode rewrite, MissingMethod infer
local inflight = lib_connect(nil)
lib_send_all_but_eom(inflight, "RELOAD2", msg)
conf_write("")
lib_signal("USR1")
lib_wait_log("configuration reloaded from", 1)

-- the next message: the new configuration
conn = lib_connect(nil)
reply, stage = lib_send(conn, "RELOAD3", msg, true)
assert(stage == "eom", "let go at " .. stage)
lib_check_like_calnorm(conn, msg, true)
mt.disconnect(conn)

-- the one in flight ends as it began: report, and no METHOD added
assert(mt.eom(inflight) == nil, "eom")
assert(not mt.eom_check(inflight, MT_BODYCHANGE), "in-flight message changed")
mt.disconnect(inflight)

-- a bad file is refused, naming the line; rewrite stays in force
conf_write("Mode report\nMaxMessageSize lots\n")
lib_signal("USR1")
lib_wait_log("reload refused, the configuration in force stays: " .. conf ..
    ":" .. (#base + 2) .. ": MaxMessageSize", 1)
conf_write("") -- the good file back, unsignalled, for lib_calnorm to read
conn = lib_connect(nil)
reply, stage = lib_send(conn, "RELOAD4", msg, true)
assert(stage == "eom", "let go at " .. stage)
lib_check_like_calnorm(conn, msg, true)
mt.disconnect(conn)
