-- t-exempt.lua - exemptions (t-exempt.conf), in the style of OpenDKIM's
-- InternalHosts and PeerList: a client in ExemptNetworks is let go at
-- connect, an envelope sender in ExemptSenderDomains and an authenticated
-- submission ({auth_authen}) at MAIL FROM; anyone else's broken invite is
-- repaired
-- log: EXEMPT2 action=unchanged exempt=sender
-- log: EXEMPT3 action=unchanged exempt=authenticated
-- log: EXEMPT4 action=changed
dofile(top .. "/tests/milter/lib.lua")

local msg = lib_read(small_invite)

-- a client of an exempt network
local conn = mt.connect("inet:" .. port .. "@127.0.0.1", 50, 0.1)
assert(conn ~= nil, "cannot connect to calmilter")
assert(mt.negotiate(conn, nil, nil, nil) == nil, "negotiate")
assert(mt.conninfo(conn, "relay.example.org", "192.0.2.25") == nil)
assert(mt.getreply(conn) == SMFIR_ACCEPT, "exempt network: not let go")
mt.disconnect(conn)

conn = lib_connect(nil)
local reply, stage = lib_send(conn, "EXEMPT2", msg, true,
    { from = "<alice@Example.COM>" })
assert(stage == "mail" and reply == SMFIR_ACCEPT,
    "exempt sender: let go at " .. stage)

reply, stage = lib_send(conn, "EXEMPT3", msg, true,
    { from = "<alice@example.org>", macros = { "{auth_authen}", "alice" } })
assert(stage == "mail" and reply == SMFIR_ACCEPT,
    "authenticated: let go at " .. stage)

reply, stage = lib_send(conn, "EXEMPT4", msg, true,
    { from = "<alice@example.org>", macros = { "{auth_authen}", "" } })
assert(stage == "eom", "not exempt: let go at " .. stage)
lib_check_like_calnorm(conn, msg, true)
mt.disconnect(conn)
