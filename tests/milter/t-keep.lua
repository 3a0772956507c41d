-- t-keep.lua - KeepOriginals: the original of a rewritten message is kept
-- byte for byte as QUEUEID.eml; a message left alone is not; what is older
-- than KeepDays goes (at start, on reload, hourly), and only the files
-- calmilter writes. KeepOriginals is set by a reload, since the path is
-- only known now (run.sh's scratch directory).
-- log: KEEP1 action=changed
-- log: KEEP2 action=unchanged fast=plain
dofile(top .. "/tests/milter/lib.lua")

local conf = tmp .. "/calmilter.conf"
local dir = tmp .. "/originals"

local function read_file(path)
	local f = io.open(path, "rb")
	if f == nil then
		return nil
	end
	local s = f:read("a")
	f:close()
	return s
end

local function touch(name, when)
	assert(os.execute("touch -d '" .. when .. "' " .. dir .. "/" .. name))
end

-- a directory the daemon (UserID) may write, with an old and a new
-- original and an old file that is not calmilter's
assert(os.execute("mkdir -m 777 " .. dir .. " && chmod 755 " .. tmp ..
    " && chmod 644 " .. conf))
touch("OLD1.eml", "10 days ago")
touch("OLD2.eml.tmp", "10 days ago")
touch("RECENT1.eml", "6 days ago")
touch("notes.txt", "30 days ago")

local f = assert(io.open(conf, "a"))
f:write("KeepOriginals " .. dir .. "\n")
f:close()
lib_signal("USR1")
lib_wait_log("configuration reloaded from", 1)
lib_wait_log("KeepOriginals: 2 originals older than 7 days removed from " ..
    dir, 1)
assert(read_file(dir .. "/OLD1.eml") == nil, "OLD1.eml not removed")
assert(read_file(dir .. "/OLD2.eml.tmp") == nil, "OLD2.eml.tmp not removed")
assert(read_file(dir .. "/RECENT1.eml") ~= nil, "RECENT1.eml removed")
assert(read_file(dir .. "/notes.txt") ~= nil, "a file not ours removed")

local msg = lib_read(small_invite)
local conn = lib_connect(nil)
local _, stage = lib_send(conn, "KEEP1", msg, true)
assert(stage == "eom", "let go at " .. stage)
lib_check_like_calnorm(conn, msg, true)
mt.disconnect(conn)
-- the message as the daemon received it: the body byte for byte, the
-- same header fields (miltertest sends each value with one more leading
-- space than an MTA would, so leading blanks are not compared)
local kept = assert(read_file(dir .. "/KEEP1.eml"), "KEEP1.eml not kept")
local kf, kbody = lib_split(kept)
local mf, mbody = lib_split(msg)
assert(kbody == mbody, "KEEP1.eml: the body differs")
assert(#kf == #mf, "KEEP1.eml: " .. #kf .. " header fields, not " .. #mf)
for i, h in ipairs(mf) do
	assert(kf[i].name == h.name and
	    kf[i].value:gsub("^[ \t]+", "") == h.value:gsub("^[ \t]+", ""),
	    "KEEP1.eml: header field " .. i .. " differs")
end

conn = lib_connect(nil)
_, stage = lib_send(conn, "KEEP2", lib_read(fixtures .. "plain.eml"), true)
assert(stage == "eoh", "plain let go at " .. stage)
mt.disconnect(conn)
assert(read_file(dir .. "/KEEP2.eml") == nil, "an unchanged message kept")
assert(read_file(dir .. "/KEEP1.eml.tmp") == nil, "temporary file left")
