-- t-stats.lua - the counters: StatsFile is written by the clock every
-- StatsInterval seconds and at once on SIGUSR2, atomically, in the
-- Prometheus text format, with each message counted once under its
-- outcome and each finding under its rule id; the totals are logged at
-- shutdown. StatsFile is set by a reload, since the path is only known
-- now (run.sh's scratch directory). At LogLevel info (t-stats.conf) each
-- message has its one line, and no line holds calendar content or an
-- address.
-- log: STATS1 action=unchanged fast=plain outcome=fastpath
-- log: STATS2 action=unchanged fast=signed outcome=signed
-- log: STATS3 action=changed parts=1 changed=1 rules=R-ITIP-1,R-ITIP-6,R-LEX-9 outcome=normalized
-- exit-log: totals: untouched=0 fastpath=1 normalized=1 report=0 signed=1 dkim=0
dofile(top .. "/tests/milter/lib.lua")

local conf = tmp .. "/calmilter.conf"
local dir = tmp .. "/stats"
local file = dir .. "/calmilter.prom"

-- read_file - the file's content, or nil
local function read_file(path)
	local f = io.open(path, "rb")
	if f == nil then
		return nil
	end
	local s = f:read("a")
	f:close()
	return s
end

-- reload_with - the configuration plus these lines, then SIGUSR1
local reloads = 0
local function reload_with(lines)
	local f = assert(io.open(conf, "a"))
	f:write(lines)
	f:close()
	lib_signal("USR1")
	reloads = reloads + 1
	lib_wait_log("configuration reloaded from", reloads)
end

-- a directory the daemon (UserID) may write; the file it re-reads
assert(os.execute("mkdir -m 777 " .. dir .. " && chmod 755 " .. tmp ..
    " && chmod 644 " .. conf))

-- by the clock: StatsInterval 1
reload_with("StatsFile " .. file .. "\nStatsInterval 1\n")
for _ = 1, 50 do
	if read_file(file) ~= nil then
		break
	end
	os.execute("sleep 0.1")
end
local first = assert(read_file(file), "StatsFile not written by the clock")
assert(first:find('calmilter_messages_total{outcome="normalized"} 0\n', 1,
    true), "first file:\n" .. first)

-- then only on demand
reload_with("StatsInterval 3600\n")
os.remove(file)
local sizes = 0
local function send(qid, path, stage_want)
	local conn = lib_connect(nil)
	local _, stage = lib_send(conn, qid, lib_read(path), true)
	assert(stage == stage_want, qid .. " let go at " .. stage)
	mt.disconnect(conn)
	sizes = sizes + tonumber(lib_summary(qid):match(" size=(%d+)"))
end
send("STATS1", fixtures .. "plain.eml", "eoh")
send("STATS2", fixtures .. "signed-invite.eml", "eoh")
send("STATS3", small_invite, "eom")
os.execute("sleep 1.5")
assert(read_file(file) == nil, "StatsFile written without SIGUSR2")
lib_signal("USR2")
for _ = 1, 50 do
	if read_file(file) ~= nil then
		break
	end
	os.execute("sleep 0.1")
end
local got = assert(read_file(file), "StatsFile not written on SIGUSR2")

local want = {
	'calmilter_messages_total{outcome="untouched"} 0',
	'calmilter_messages_total{outcome="fastpath"} 1',
	'calmilter_messages_total{outcome="normalized"} 1',
	'calmilter_messages_total{outcome="report"} 0',
	'calmilter_messages_total{outcome="signed"} 1',
	'calmilter_messages_total{outcome="error"} 0',
	'calmilter_findings_total{rule="R-LEX-9",kind="fix"} 2',
	'calmilter_findings_total{rule="R-ITIP-1",kind="fix"} 1',
	'calmilter_findings_total{rule="R-ITIP-6",kind="fix"} 2', -- DTSTAMP, SEQUENCE
	'calmilter_message_bytes_total ' .. sizes,
	'calmilter_reloads_total{result="ok"} 2',
	'calmilter_reloads_total{result="failed"} 0',
}
for _, line in ipairs(want) do
	assert(got:find("\n" .. line .. "\n", 1, true),
	    "no line \"" .. line .. "\" in:\n" .. got)
end
-- the exposition format: HELP and TYPE before each family, samples
-- "name{labels} value"
local typed = {}
for line in got:gmatch("(.-)\n") do
	local fam = line:match("^# TYPE ([a-z_]+) [a-z]+$")
	if fam then
		typed[fam] = true
	elseif not line:match("^# HELP [a-z_]+ .+$") then
		local name = line:match('^([a-z_]+)[{ ]')
		assert(name and typed[name], "sample before its TYPE: " .. line)
		assert(line:match('^[a-z_]+{[a-z_]+="[^"]*"[,a-z_="A-Z0-9-]*} [0-9.]+$')
		    or line:match("^[a-z_]+ [0-9.]+$"), "bad sample: " .. line)
	end
end
assert(read_file(file .. ".tmp") == nil, "temporary file left behind")

-- the default level: one line per message, no content, no addresses
for _, secret in ipairs({ "bob@example.net", "alice@sender.test",
    "frank@example.net", "erin@sender.test", "SUMMARY", "Sync", "BEGIN:",
    "mailto:", "finding=" }) do
	assert(lib_log_count(secret) == 0, "the log holds \"" .. secret .. "\"")
end
for _, qid in ipairs({ "STATS1", "STATS2", "STATS3" }) do
	assert(lib_log_count(qid .. ": ") == 1, qid .. ": not one line")
end
