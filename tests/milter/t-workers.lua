-- t-workers.lua - the one worker (t-workers.conf) hangs, then crashes,
-- made to from outside with signals, as an operator or the kernel would:
--   hang: past MaxMessageTime (1 s) it is killed and replaced; the message
--         is accepted unchanged (a limit: never tempfailed, although
--         OnError is tempfail); the same message again passes as poisoned
--   crash mid-message: replaced; the message is tempfailed (OnError
--         tempfail: a crash is an internal error); its retry, with a new
--         Received: field as an MTA adds, passes as poisoned
--   then a new message is repaired as usual
-- log: HANG1 action=unchanged parts=0 changed=0 reason=limit detail="MaxMessageTime (1 s): worker 1 (pid
-- log: HANG2 action=unchanged parts=0 changed=0 reason=poisoned
-- log: WARM action=changed
-- log: CRASH1 action=tempfail parts=0 changed=0 reason=worker
-- log: CRASH2 action=unchanged parts=0 changed=0 reason=poisoned
-- log: AFTER action=changed
dofile(top .. "/tests/milter/lib.lua")

-- workers - the command that lists the daemon's worker processes
local workers = "$(pgrep -P " .. pid .. ")"

local msg = lib_read(small_invite)
local conn = lib_connect(nil)

-- hang: the worker is stopped before the message reaches it
assert(os.execute("kill -STOP " .. workers))
local t0 = os.time()
local reply, stage = lib_send(conn, "HANG1", msg, true)
assert(stage == "eom" and reply == SMFIR_ACCEPT, "HANG1 not accepted")
assert(os.time() - t0 <= 4, "HANG1 took " .. (os.time() - t0) .. " s")
reply, stage = lib_send(conn, "HANG2", msg, true)
assert(stage == "eom" and reply == SMFIR_ACCEPT, "HANG2 not accepted")

-- the new worker serves (so it is ready before it is stopped again)
local warm = msg:gsub("Subject: ", "Subject: Warm: ", 1)
reply, stage = lib_send(conn, "WARM", warm, true)
assert(stage == "eom" and reply == SMFIR_ACCEPT, "WARM")

-- crash: the new worker is stopped, takes the message, and aborts on it
local other = msg:gsub("Subject: ", "Subject: Re: ", 1)
assert(os.execute("w=" .. workers .. "; kill -STOP $w; " ..
    "(sleep 0.3; kill -ABRT $w; kill -CONT $w) &"))
reply, stage = lib_send(conn, "CRASH1", other, true)
-- a tempfail with calmilter's own text arrives as a reply code
assert(stage == "eom" and reply == SMFIR_REPLYCODE, "CRASH1 not tempfailed")
assert(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.3.0",
    "calmilter: internal error, please try again later"), "CRASH1 reply")
lib_expect_summary("CRASH1", "killed by signal 6 (ABRT); replaced")
mt.disconnect(conn)	-- the MTA's retry comes on a new connection
conn = lib_connect(nil)
reply, stage = lib_send(conn, "CRASH2", "Received: from sender.test " ..
    "by front.test; Mon, 10 Mar 2025 10:00:00 +0000\r\n" .. other, true)
assert(stage == "eom" and reply == SMFIR_ACCEPT, "CRASH2 not accepted")

reply, stage = lib_send(conn, "AFTER", msg:gsub("Subject: ", "Subject: Fw: ",
    1), true)
assert(stage == "eom" and reply == SMFIR_ACCEPT, "AFTER")
lib_check_like_calnorm(conn, msg:gsub("Subject: ", "Subject: Fw: ", 1), true)
mt.disconnect(conn)
