// The example's page, served at "/": log in with a uid and groups, talk in a group (Enter or the
// button), and push to a uid, a group or everyone through the HTTP API, watching what arrives, with
// who joins and leaves your groups. When the connection drops it says so, sends nothing, and
// reconnects and logs in again (after 0.5 s, doubling up to 5 s). Kept in Swift so that the
// executable needs no files beside it.

let gatewayChatPage = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>swift-workerman gateway-chat</title>
    <script src="/config.js"></script>
    <style>
      body { font: 15px/1.45 -apple-system, "Segoe UI", Roboto, Arial, sans-serif; margin: 0; background: #f4f5f7; color: #1d2129; }
      main { max-width: 760px; margin: 24px auto; padding: 0 16px; }
      h1 { font-size: 20px; } h1 span { color: #f05138; }
      fieldset { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; margin: 0 0 14px; padding: 12px 14px; }
      legend { font-weight: 600; padding: 0 6px; }
      input { padding: 6px 8px; border: 1px solid #d1d5db; border-radius: 6px; margin: 2px 6px 2px 0; }
      button { padding: 6px 12px; border: 0; border-radius: 6px; background: #f05138; color: #fff; cursor: pointer; }
      #log { background: #1f2330; color: #c9cede; border-radius: 8px; padding: 10px 12px; height: 280px; overflow: auto;
             font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap; }
      .me { color: #fbbf24; } .in { color: #86efac; } .http { color: #93c5fd; } .notice { color: #f0f0f0; font-style: italic; }
      .error { color: #fca5a5; } #state.offline { color: #dc2626; font-weight: 600; }
    </style>
    </head>
    <body>
    <main>
      <h1><span>swift-workerman</span> gateway-chat</h1>
      <form id="login-form"><fieldset><legend>1. Log in</legend>
        uid <input id="uid" value="alice"> groups <input id="groups" value="lobby,swift">
        <button id="login">connect and log in</button> <span id="state">offline</span>
      </fieldset></form>
      <form id="say-form" autocomplete="off"><fieldset><legend>2. Say something to a group</legend>
        group <input id="group" value="lobby"> <input id="msg" value="hello" size="30"> <button id="say">say</button>
      </fieldset></form>
      <fieldset><legend>3. Push through the HTTP API (as a web application would)</legend>
        uid <input id="puid" size="8"> or group <input id="pgroup" size="8"> (both empty: everyone)
        <input id="ptext" value="news" size="12"> <button id="push">push</button>
        <button id="count">count</button> <button id="online">online?</button>
      </fieldset>
      <div id="log"></div>
    </main>
    <script>
      const $ = (id) => document.getElementById(id);
      let socket = null;
      function log(text, kind) {
        const line = document.createElement("div");
        line.className = kind || "";
        line.textContent = new Date().toLocaleTimeString() + "  " + text;
        $("log").appendChild(line);
        $("log").scrollTop = $("log").scrollHeight;
      }
      // The log-in of the current connection, sent again on each reconnection.
      let login = null, retry = 0;
      function setState(text, offline) { $("state").textContent = text; $("state").className = offline ? "offline" : ""; }
      function connect() {
        const config = window.CHAT_CONFIG || { wsPort: 7273, scheme: "ws" };
        const ws = new WebSocket(config.scheme + "://" + location.hostname + ":" + config.wsPort + "/");
        socket = ws;
        ws.onopen = () => {
          retry = 0;
          setState("connected");
          ws.send(JSON.stringify(login));
          log("-> " + JSON.stringify(login), "me");
        };
        ws.onmessage = (event) => {
          log("<- " + event.data, "in");
          let message = null;
          try { message = JSON.parse(event.data); } catch (_) {}
          if (message && (message.type === "join" || message.type === "leave")) {
            log(message.uid + (message.type === "join" ? " joined " : " left ") + message.group, "notice");
          }
        };
        ws.onclose = () => {
          if (socket !== ws) return;  // replaced by a new log-in
          if (retry === 0) log("connection lost; reconnecting", "error");
          const delay = Math.min(5000, 500 * 2 ** retry++);
          setState("disconnected, reconnecting in " + delay / 1000 + " s", true);
          setTimeout(() => { if (socket === ws) connect(); }, delay);
        };
      }
      $("login-form").addEventListener("submit", (event) => {
        event.preventDefault();
        const old = socket;
        socket = null;
        if (old) old.close();
        const groups = $("groups").value.split(",").map((g) => g.trim()).filter(Boolean);
        login = { type: "login", uid: $("uid").value, groups };
        retry = 0;
        setState("connecting");
        connect();
      });
      $("say-form").addEventListener("submit", (event) => {
        event.preventDefault();
        if (!socket) return log("log in first", "error");
        if (socket.readyState !== WebSocket.OPEN) return log("not sent: not connected", "error");
        const say = { type: "say", group: $("group").value, msg: $("msg").value };
        socket.send(JSON.stringify(say));
        log("-> " + JSON.stringify(say), "me");
      });
      async function get(path) {
        const answer = await (await fetch(path)).text();
        log("GET " + path + " -> " + answer, "http");
      }
      $("push").onclick = () => {
        const query = new URLSearchParams();
        if ($("puid").value) query.set("uid", $("puid").value);
        else if ($("pgroup").value) query.set("group", $("pgroup").value);
        query.set("msg", $("ptext").value);
        get("/push?" + query);
      };
      $("count").onclick = () => get("/count" + ($("pgroup").value ? "?group=" + encodeURIComponent($("pgroup").value) : ""));
      $("online").onclick = () => get("/online?uid=" + encodeURIComponent($("puid").value || $("uid").value));
    </script>
    </body>
    </html>
    """#
