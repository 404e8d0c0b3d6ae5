// Browser side of `zilchboot shell --web`: an xterm.js terminal wired to the VM console over a
// WebSocket. Client → server: JSON {type: "size", rows, cols} first, then {type: "input", data}.
// Server → client: console bytes (binary frames).
const token = new URLSearchParams(location.search).get("token");
const term = new Terminal({ rows: 30, cols: 100, convertEol: false, scrollback: 5000 });
term.open(document.getElementById("terminal"));
term.focus();
// Tests read the screen through this.
window.zilchbootTerminal = term;

const socket = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
socket.binaryType = "arraybuffer";
socket.onopen = () => socket.send(JSON.stringify({ type: "size", rows: term.rows, cols: term.cols }));
socket.onmessage = (event) => term.write(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
socket.onclose = (event) => term.write(`\r\n[disconnected${event.reason ? `: ${event.reason}` : ""}]\r\n`);
term.onData((data) => {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "input", data }));
});
term.onResize(({ rows, cols }) => {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "size", rows, cols }));
});
