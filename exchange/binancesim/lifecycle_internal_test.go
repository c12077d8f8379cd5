package binancesim

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// stuckWriter is a ResponseWriter whose Write blocks until released, like a
// client that stopped reading a large reply.
type stuckWriter struct {
	*httptest.ResponseRecorder
	writing chan struct{}
	release chan struct{}
}

func (w *stuckWriter) Write(b []byte) (int, error) {
	close(w.writing)
	<-w.release
	return w.ResponseRecorder.Write(b)
}

func TestSlowReaderDoesNotHoldTheLock(t *testing.T) {
	s := Start(t, Options{Scenario: FallbackScenario})
	w := &stuckWriter{ResponseRecorder: httptest.NewRecorder(), writing: make(chan struct{}), release: make(chan struct{})}
	served := make(chan struct{})
	go func() {
		defer close(served)
		s.routes().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/fapi/v1/depth?symbol=TAOUSDT&limit=1000", nil))
	}()
	defer func() { close(w.release); <-served }()
	select {
	case <-w.writing:
	case <-time.After(5 * time.Second):
		t.Fatal("the depth reply was never written")
	}
	other := make(chan struct{})
	go func() { s.Advance(time.Second); close(other) }()
	select {
	case <-other:
	case <-time.After(5 * time.Second):
		t.Fatal("a stuck reply write holds the simulator lock")
	}
}

func TestCloseBeforeServe(t *testing.T) {
	s, err := New(Options{Scenario: FallbackScenario})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := s.Serve(); err != nil {
		t.Fatalf("serve after close: %v", err)
	}
	if c, err := net.Dial("tcp", s.ln.Addr().String()); err == nil {
		_ = c.Close()
		t.Fatal("the listener is still open after Close")
	}
}

func TestCloseRacesServe(t *testing.T) {
	for range 20 {
		s, err := New(Options{Scenario: FallbackScenario, Speed: 1})
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- s.Serve() }()
		if err := s.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
		if err := <-served; err != nil {
			t.Fatalf("serve: %v", err)
		}
	}
}
