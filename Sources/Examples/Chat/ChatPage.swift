// The chat's single page: HTML, CSS and JavaScript in one string, served at "/" by the http Worker.
// It loads /config.js (the websocket port), asks for a nickname and a room (or takes ?name=&room=
// from the address), and speaks the JSON protocol described in main.swift. Kept in Swift so that the
// executable needs no files beside it.

let chatPage = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>swift-workerman chat</title>
    <script src="/config.js"></script>
    <style>
      :root {
        --bg: #f4f5f7; --panel: #ffffff; --side: #1f2330; --side-text: #c9cede; --side-muted: #7f879c;
        --accent: #f05138; --accent-soft: #fde3de; --text: #1d2129; --muted: #6b7280; --line: #e5e7eb;
      }
      * { box-sizing: border-box; }
      html, body { height: 100%; margin: 0; }
      body { font: 15px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial,
             "Noto Sans", sans-serif; color: var(--text); background: var(--bg); }
      .app { display: grid; grid-template-columns: 248px 1fr; height: 100vh; }

      /* The sidebar: brand, rooms, who you are. */
      aside { background: var(--side); color: var(--side-text); display: flex; flex-direction: column; padding: 18px 14px; }
      .brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 17px; color: #fff; margin: 0 6px 22px; }
      .brand .logo { width: 30px; height: 30px; border-radius: 8px; background: var(--accent); display: grid; place-items: center; font-size: 16px; color: #fff; }
      .section { font-size: 11px; letter-spacing: .08em; text-transform: uppercase; color: var(--side-muted); margin: 0 8px 8px; }
      #rooms { list-style: none; margin: 0 0 10px; padding: 0; }
      #rooms button { width: 100%; text-align: left; background: none; border: 0; color: inherit; font: inherit;
                      padding: 7px 10px; border-radius: 7px; cursor: pointer; }
      #rooms button:hover { background: rgba(255,255,255,.06); }
      #rooms button.active { background: rgba(240,81,56,.18); color: #fff; font-weight: 600; }
      #new-room { display: flex; gap: 6px; margin: 0 4px; }
      #new-room input { flex: 1; min-width: 0; background: rgba(255,255,255,.07); border: 1px solid rgba(255,255,255,.1);
                        color: #fff; border-radius: 7px; padding: 6px 9px; font: inherit; font-size: 13px; }
      #new-room button { background: rgba(255,255,255,.1); color: #fff; border: 0; border-radius: 7px; padding: 0 10px; cursor: pointer; }
      .me { margin-top: auto; display: flex; align-items: center; gap: 10px; padding: 10px 8px 0; border-top: 1px solid rgba(255,255,255,.08); }
      .me .who { font-weight: 600; color: #fff; }
      #me-avatar { background: #4b5263; }
      .me .where { font-size: 12px; color: var(--side-muted); }

      /* The room: header, messages, composer. */
      main { display: flex; flex-direction: column; min-width: 0; background: var(--panel); }
      header { display: flex; align-items: center; justify-content: space-between; padding: 14px 24px; border-bottom: 1px solid var(--line); }
      header h1 { font-size: 18px; margin: 0; }
      header h1 .hash { color: var(--muted); font-weight: 400; margin-right: 2px; }
      #status { font-size: 13px; color: var(--muted); display: flex; align-items: center; gap: 7px; }
      #status::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #d1d5db; }
      #status.online::before { background: #22c55e; }
      #status.offline::before { background: #ef4444; }
      #messages { flex: 1; overflow-y: auto; padding: 18px 24px; display: flex; flex-direction: column; gap: 10px; }
      .notice { align-self: center; font-size: 12.5px; color: var(--muted); background: var(--bg); padding: 3px 12px; border-radius: 999px; }
      .message { display: flex; gap: 10px; max-width: 72%; }
      .message.mine { align-self: flex-end; flex-direction: row-reverse; }
      .avatar { flex: none; width: 34px; height: 34px; border-radius: 50%; color: #fff; font-weight: 700; display: grid; place-items: center; font-size: 14px; }
      .bubble { background: var(--bg); border-radius: 4px 14px 14px 14px; padding: 7px 12px 8px; min-width: 0; }
      .mine .bubble { background: var(--accent-soft); border-radius: 14px 4px 14px 14px; }
      .meta { font-size: 12px; color: var(--muted); margin-bottom: 1px; }
      .meta .name { font-weight: 600; color: var(--text); margin-right: 6px; }
      .text { white-space: pre-wrap; overflow-wrap: anywhere; }
      #composer { display: flex; gap: 10px; padding: 14px 24px 18px; border-top: 1px solid var(--line); }
      #composer input { flex: 1; border: 1px solid var(--line); border-radius: 10px; padding: 11px 14px; font: inherit; outline: none; }
      #composer input:focus { border-color: var(--accent); box-shadow: 0 0 0 3px var(--accent-soft); }
      button.primary { background: var(--accent); color: #fff; border: 0; border-radius: 10px; padding: 0 20px; font: inherit; font-weight: 600; cursor: pointer; }
      button.primary:disabled { opacity: .5; cursor: default; }

      /* The first screen: pick a nickname and a room. */
      #join { position: fixed; inset: 0; background: rgba(17,19,26,.55); display: grid; place-items: center; }
      #join[hidden] { display: none; }
      #join form { background: #fff; border-radius: 14px; padding: 26px 28px; width: 340px; box-shadow: 0 20px 50px rgba(0,0,0,.25); }
      #join h2 { margin: 0 0 4px; font-size: 20px; }
      #join p { margin: 0 0 18px; color: var(--muted); font-size: 14px; }
      #join label { display: block; font-size: 13px; font-weight: 600; margin: 12px 0 5px; }
      #join input { width: 100%; border: 1px solid var(--line); border-radius: 9px; padding: 10px 12px; font: inherit; }
      #join button { width: 100%; margin-top: 20px; padding: 11px; }
      @media (max-width: 640px) { .app { grid-template-columns: 1fr; } aside { display: none; } .message { max-width: 92%; } }
    </style>
    </head>
    <body>
    <div class="app">
      <aside>
        <div class="brand"><span class="logo">W</span> Workerman Chat</div>
        <div class="section">Rooms</div>
        <ul id="rooms"></ul>
        <form id="new-room"><input id="new-room-name" placeholder="another room" maxlength="32"><button>+</button></form>
        <div class="me">
          <div class="avatar" id="me-avatar">?</div>
          <div><div class="who" id="me-name">not joined</div><div class="where" id="worker">pick a nickname</div></div>
        </div>
      </aside>
      <main>
        <header>
          <h1><span class="hash">#</span><span id="room-title">lobby</span></h1>
          <div id="status">not joined</div>
        </header>
        <div id="messages" aria-live="polite"></div>
        <form id="composer" autocomplete="off">
          <input id="composer-input" placeholder="Write a message…" maxlength="2000" disabled>
          <button class="primary" id="send" disabled>Send</button>
        </form>
      </main>
    </div>
    <div id="join" hidden>
      <form id="join-form">
        <h2>Join the chat</h2>
        <p>Pick a nickname and a room.</p>
        <label for="join-name">Nickname</label>
        <input id="join-name" maxlength="24" required autofocus>
        <label for="join-room">Room</label>
        <input id="join-room" maxlength="32" value="lobby" required>
        <button class="primary">Join</button>
      </form>
    </div>
    <script>
    (function () {
      "use strict";
      const $ = (id) => document.getElementById(id);
      const params = new URLSearchParams(location.search);
      const wsPort = (window.CHAT_CONFIG && window.CHAT_CONFIG.wsPort) || 7272;
      const wsUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.hostname + ":" + wsPort + "/";
      const state = { ws: null, name: params.get("name") || localStorage.getItem("chat.name") || "",
                      room: (params.get("room") || "lobby").toLowerCase(), rooms: ["lobby", "swift", "workerman", "random"],
                      retry: 0 };

      function color(name) {
        let hash = 0;
        for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
        return "hsl(" + (hash % 360) + ", 55%, 50%)";
      }
      function clock(ms) { return new Date(ms || Date.now()).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }
      function scrollDown() { const list = $("messages"); list.scrollTop = list.scrollHeight; }

      function notice(text) {
        const item = document.createElement("div");
        item.className = "notice";
        item.textContent = text;
        $("messages").appendChild(item);
        scrollDown();
      }
      function message(event) {
        const item = document.createElement("div");
        item.className = "message" + (event.name === state.name ? " mine" : "");
        const avatar = document.createElement("div");
        avatar.className = "avatar";
        avatar.style.background = color(event.name);
        avatar.textContent = event.name.slice(0, 1).toUpperCase();
        const bubble = document.createElement("div");
        bubble.className = "bubble";
        const meta = document.createElement("div");
        meta.className = "meta";
        const name = document.createElement("span");
        name.className = "name";
        name.textContent = event.name;
        meta.append(name, clock(event.time));
        const text = document.createElement("div");
        text.className = "text";
        text.textContent = event.text;  // text, never HTML
        bubble.append(meta, text);
        item.append(avatar, bubble);
        $("messages").appendChild(item);
        scrollDown();
      }

      function renderRooms() {
        if (!state.rooms.includes(state.room)) state.rooms.push(state.room);
        const list = $("rooms");
        list.textContent = "";
        for (const room of state.rooms) {
          const entry = document.createElement("li");
          const button = document.createElement("button");
          button.type = "button";
          button.textContent = "# " + room;
          button.className = room === state.room ? "active" : "";
          button.onclick = () => switchRoom(room);
          entry.appendChild(button);
          list.appendChild(entry);
        }
        $("room-title").textContent = state.room;
        document.title = "#" + state.room + " · swift-workerman chat";
      }
      function setStatus(text, kind) { $("status").textContent = text; $("status").className = kind || ""; }
      function setEnabled(on) { $("composer-input").disabled = !on; $("send").disabled = !on; }

      function send(object) {
        if (state.ws && state.ws.readyState === WebSocket.OPEN) { state.ws.send(JSON.stringify(object)); return true; }
        return false;
      }
      function switchRoom(room) {
        room = room.trim().toLowerCase();
        if (!room || room === state.room) return;
        state.room = room;
        $("messages").textContent = "";
        renderRooms();
        send({ type: "join", room: state.room, name: state.name });
      }

      function connect() {
        setStatus("connecting", "");
        const ws = new WebSocket(wsUrl);
        state.ws = ws;
        ws.onopen = () => { state.retry = 0; send({ type: "join", room: state.room, name: state.name }); };
        ws.onmessage = (frame) => {
          let event;
          try { event = JSON.parse(frame.data); } catch (_) { return; }
          if (event.type === "welcome") {
            state.name = event.name;
            $("me-name").textContent = event.name;
            $("me-avatar").textContent = event.name.slice(0, 1).toUpperCase();
            $("me-avatar").style.background = color(event.name);
            $("worker").textContent = "served by process " + event.worker_id;
            document.body.dataset.worker = event.worker_id;
            setStatus("online", "online");
            setEnabled(true);
            $("composer-input").focus();
          } else if (event.type === "join") {
            notice(event.name === state.name ? "You joined #" + event.room : event.name + " joined");
          } else if (event.type === "leave") {
            notice(event.name + " left");
          } else if (event.type === "say") {
            message(event);
          } else if (event.type === "error") {
            notice("⚠ " + event.text);
          }
        };
        ws.onclose = () => {
          setEnabled(false);
          setStatus("offline, reconnecting", "offline");
          if (state.ws === ws) setTimeout(connect, Math.min(5000, 500 * 2 ** state.retry++));
        };
      }

      $("composer").addEventListener("submit", (event) => {
        event.preventDefault();
        const input = $("composer-input");
        const text = input.value.trim();
        if (text && send({ type: "say", text: text })) input.value = "";
      });
      $("new-room").addEventListener("submit", (event) => {
        event.preventDefault();
        switchRoom($("new-room-name").value);
        $("new-room-name").value = "";
      });
      $("join-form").addEventListener("submit", (event) => {
        event.preventDefault();
        state.name = $("join-name").value.trim();
        state.room = ($("join-room").value.trim() || "lobby").toLowerCase();
        if (!state.name) return;
        localStorage.setItem("chat.name", state.name);
        $("join").hidden = true;
        start();
      });

      function start() { $("worker").textContent = "connecting…"; renderRooms(); connect(); }
      renderRooms();
      if (state.name && params.get("name")) { start(); }
      else { $("join-name").value = state.name; $("join-room").value = state.room; $("join").hidden = false; }
    })();
    </script>
    </body>
    </html>
    """#
