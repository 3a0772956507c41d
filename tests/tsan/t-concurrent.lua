-- t-concurrent.lua - one of several clients at once (tests/tsan/run.sh):
-- rounds times, each on a connection of its own, a broken invite (in the
-- first round checked to come back exactly as calnorm repairs it), a plain
-- message let go at the end of its headers, and a transaction abandoned
-- half-way.
-- Globals from run.sh: top, port, tmp, calnorm, worker, rounds.
dofile(top .. "/tests/milter/lib.lua")

local invite = lib_read(small_invite)
local plain = lib_read(fixtures .. "plain.eml")

for r = 1, tonumber(rounds) do
	local qid = "W" .. worker .. "R" .. r
	local conn = lib_connect(nil)
	local reply, stage = lib_send(conn, qid .. "I", invite, true)
	assert(stage == "eom", qid .. " invite let go at " .. stage)
	if r == 1 then	-- calnorm once; later rounds keep the pace up
		lib_check_like_calnorm(conn, invite, true)
	end
	mt.disconnect(conn)

	conn = lib_connect(nil)
	reply, stage = lib_send(conn, qid .. "P", plain, true)
	assert(stage == "eoh", qid .. " plain let go at " .. stage)
	mt.disconnect(conn)

	conn = lib_connect(nil)
	assert(mt.macro(conn, SMFIC_MAIL, "i", qid .. "A") == nil)
	assert(mt.mailfrom(conn, "<a@sender.test>") == nil)
	assert(mt.header(conn, "Content-Type", " multipart/mixed") == nil)
	assert(mt.eoh(conn) == nil)
	assert(mt.bodystring(conn, "half a body\r\n") == nil)
	mt.disconnect(conn, false)
end
