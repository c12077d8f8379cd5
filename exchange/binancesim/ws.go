package binancesim

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// sendBuffer is how many frames a connection may lag before it is dropped
// as a slow consumer (the publisher never blocks).
const sendBuffer = 4096

// hub owns the WebSocket connections. Its conns map is guarded by the Sim's
// mu, like everything the publishers touch.
type hub struct {
	s     *Sim
	conns map[*wsConn]struct{}
	// changed is closed and replaced whenever a connection opens or closes.
	changed chan struct{}
	wg      sync.WaitGroup
	up      websocket.Upgrader
}

// wsConn is one client connection: market streams (raw or combined) or one user stream.
type wsConn struct {
	c        *websocket.Conn
	subs     map[string]string // canonical stream -> name as the client asked
	combined bool
	key      string // listen key for a user-data connection
	opened   time.Time
	out      chan []byte
	once     sync.Once
	done     chan struct{}

	// Per-connection stream faults, counted in frames.
	dup, reorder, malformed int
	held                    []byte
}

func newHub(s *Sim) *hub {
	return &hub{
		s:       s,
		conns:   map[*wsConn]struct{}{},
		changed: make(chan struct{}),
		up:      websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
}

// canonical maps a stream name as a client writes it to the name the
// publisher uses, or "" if the simulator does not serve it.
func canonical(name string) string {
	if name == "!forceOrder@arr" {
		return name
	}
	sym, ev, ok := strings.Cut(name, "@")
	if !ok || strings.ToUpper(sym) != Symbol {
		return ""
	}
	sym = strings.ToLower(sym)
	switch ev {
	case "aggTrade", "markPrice", "markPrice@1s", "markPrice@3s", "forceOrder", "bookTicker":
		if ev == "markPrice@3s" {
			ev = "markPrice"
		}
		return sym + "@" + ev
	}
	if rest, ok := strings.CutPrefix(ev, "depth"); ok {
		n, _, _ := strings.Cut(rest, "@")
		if n == "5" || n == "10" || n == "20" {
			return sym + "@depth" + n
		}
	}
	return ""
}

// serveWS upgrades /ws/<names or listenKey> and /stream?streams=a/b (a listen
// key may be one of the combined streams, as on Binance).
func (h *hub) serveWS(w http.ResponseWriter, r *http.Request) {
	s := h.s
	var names []string
	combined := false
	if r.URL.Path == "/stream" {
		combined = true
		names = strings.Split(r.URL.Query().Get("streams"), "/")
	} else {
		names = strings.Split(strings.TrimPrefix(r.URL.Path, "/ws/"), "/")
	}
	s.mu.Lock()
	conn := &wsConn{subs: map[string]string{}, combined: combined, opened: s.now, out: make(chan []byte, sendBuffer), done: make(chan struct{})}
	for _, n := range names {
		if n == "" {
			continue
		}
		if exp, ok := s.keys[n]; ok && exp.After(s.now) {
			conn.key = n
			continue
		}
		c := canonical(n)
		if c == "" {
			s.mu.Unlock()
			http.Error(w, `{"code":-1121,"msg":"Invalid stream: `+n+`"}`, http.StatusBadRequest)
			return
		}
		conn.subs[c] = n
	}
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	// Register before the handshake completes so that, once a client's dial
	// returns, nothing published afterwards can miss it.
	h.conns[conn] = struct{}{}
	h.notifyLocked()
	s.mu.Unlock()
	c, err := h.up.Upgrade(w, r, nil)
	s.mu.Lock()
	if err != nil || s.closed {
		if _, ok := h.conns[conn]; ok {
			delete(h.conns, conn)
			h.notifyLocked()
		}
		s.mu.Unlock()
		if c != nil {
			_ = c.Close()
		}
		return
	}
	conn.c = c
	if _, still := h.conns[conn]; !still { // dropped by a fault while the handshake ran
		s.mu.Unlock()
		_ = c.Close()
		return
	}
	h.wg.Add(2)
	s.mu.Unlock()
	go h.writeLoop(conn)
	go h.readLoop(conn)
}

// writeLoop owns writes of data frames to one connection.
func (h *hub) writeLoop(c *wsConn) {
	defer h.wg.Done()
	for {
		select {
		case <-c.done:
			return
		case msg := <-c.out:
			_ = c.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.c.WriteMessage(websocket.TextMessage, msg); err != nil {
				h.drop(c)
				return
			}
		}
	}
}

// readLoop answers control frames and the few methods clients send
// (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS); it ends the connection on error.
func (h *hub) readLoop(c *wsConn) {
	defer h.wg.Done()
	defer h.drop(c)
	for {
		_, data, err := c.c.ReadMessage()
		if err != nil {
			return
		}
		var req struct {
			Method string   `json:"method"`
			Params []string `json:"params"`
			ID     any      `json:"id"`
		}
		if json.Unmarshal(data, &req) != nil {
			continue
		}
		h.s.mu.Lock()
		var result any
		switch req.Method {
		case "SUBSCRIBE":
			for _, n := range req.Params {
				if k := canonical(n); k != "" {
					c.subs[k] = n
				}
			}
		case "UNSUBSCRIBE":
			for _, n := range req.Params {
				delete(c.subs, canonical(n))
			}
		case "LIST_SUBSCRIPTIONS":
			list := []string{}
			for _, n := range c.subs {
				list = append(list, n)
			}
			result = list
		}
		reply, _ := json.Marshal(map[string]any{"result": result, "id": req.ID})
		h.enqueueLocked(c, reply)
		h.s.mu.Unlock()
	}
}

// drop closes a connection abruptly (no close frame), as a network drop would.
func (h *hub) drop(c *wsConn) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	h.dropLocked(c)
}

// dropLocked is drop for callers holding s.mu.
func (h *hub) dropLocked(c *wsConn) {
	if _, ok := h.conns[c]; ok {
		delete(h.conns, c)
		h.notifyLocked()
	}
	c.once.Do(func() {
		close(c.done)
		if c.c != nil {
			_ = c.c.Close()
		}
	})
}

// dropAllLocked drops every connection, or only user-data ones for key when key != "".
func (h *hub) dropAllLocked(key string) {
	for c := range h.conns {
		if key == "" || c.key == key {
			h.dropLocked(c)
		}
	}
}

func (h *hub) closeAll() {
	h.s.mu.Lock()
	h.dropAllLocked("")
	h.s.mu.Unlock()
}

func (h *hub) wait() { h.wg.Wait() }

func (h *hub) notifyLocked() {
	close(h.changed)
	h.changed = make(chan struct{})
}

// pingLoop pings every client each PingInterval of wall time.
func (h *hub) pingLoop(ctx context.Context) {
	t := h.s.opts.Wall.NewTicker(h.s.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			h.s.mu.Lock()
			conns := make([]*wsConn, 0, len(h.conns))
			for c := range h.conns {
				if c.c != nil {
					conns = append(conns, c)
				}
			}
			h.s.mu.Unlock()
			for _, c := range conns {
				if c.c == nil {
					continue
				}
				_ = c.c.WriteControl(websocket.PingMessage, []byte(strconv.FormatInt(time.Now().UnixMilli(), 10)), time.Now().Add(5*time.Second))
			}
		}
	}
}

// publishLocked sends a market payload to every connection subscribed to stream.
func (h *hub) publishLocked(stream string, payload []byte) {
	if h.s.faults.stalledLocked(stream, h.s.now) {
		return
	}
	for c := range h.conns {
		name, ok := c.subs[stream]
		if !ok {
			continue
		}
		msg := payload
		if c.combined {
			msg = wrapCombined(name, payload)
		}
		h.enqueueLocked(c, msg)
	}
}

// publishUserLocked sends a user-data payload to the connections of listen key key ("" = all).
func (h *hub) publishUserLocked(key string, payload []byte) {
	if h.s.faults.stalledLocked("user", h.s.now) {
		return
	}
	for c := range h.conns {
		if _, live := h.s.keys[c.key]; live && (key == "" || c.key == key) {
			msg := payload
			if c.combined {
				msg = wrapCombined(c.key, payload)
			}
			h.enqueueLocked(c, msg)
		}
	}
}

func wrapCombined(name string, payload []byte) []byte {
	b := make([]byte, 0, len(payload)+len(name)+22)
	b = append(b, `{"stream":`...)
	b = strconv.AppendQuote(b, name)
	b = append(b, `,"data":`...)
	b = append(b, payload...)
	return append(b, '}')
}

// enqueueLocked applies the connection's frame faults and queues msg without blocking.
func (h *hub) enqueueLocked(c *wsConn, msg []byte) {
	var frames [][]byte
	switch {
	case c.malformed > 0:
		c.malformed--
		frames = append(frames, msg[:len(msg)/2])
	case c.reorder > 0 && c.held == nil:
		c.held = msg
		return
	case c.held != nil:
		c.reorder--
		frames = append(frames, msg, c.held)
		c.held = nil
	case c.dup > 0:
		c.dup--
		frames = append(frames, msg, msg)
	default:
		frames = append(frames, msg)
	}
	for _, f := range frames {
		select {
		case c.out <- f:
		default:
			h.dropLocked(c) // slow consumer: drop it, visibly, rather than block the market
			return
		}
	}
}
