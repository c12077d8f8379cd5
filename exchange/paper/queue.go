package paper

import (
	"context"
	"sync"

	"github.com/taobot/taobot/exchange"
)

// queue is an unbounded FIFO of user-data events: producers (the Trader's
// methods, called from the agent goroutine) never block on the reader,
// which is usually that same goroutine.
type queue struct {
	mu    sync.Mutex
	items []exchange.Event
	wake  chan struct{}
}

func newQueue() *queue { return &queue{wake: make(chan struct{}, 1)} }

func (q *queue) push(evs ...exchange.Event) {
	if len(evs) == 0 {
		return
	}
	q.mu.Lock()
	q.items = append(q.items, evs...)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// takeAll empties the queue.
func (q *queue) takeAll() []exchange.Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}

// unread puts events back at the front, keeping their order.
func (q *queue) unread(evs []exchange.Event) {
	if len(evs) == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = append(append([]exchange.Event(nil), evs...), q.items...)
}

// Len is the number of events not yet handed to Run's reader.
func (q *queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// run delivers events in order until ctx ends; undelivered events stay queued.
func (q *queue) run(ctx context.Context, out chan<- exchange.Event) error {
	for {
		batch := q.takeAll()
		for i, ev := range batch {
			select {
			case out <- ev:
			case <-ctx.Done():
				q.unread(batch[i:])
				return nil
			}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-q.wake:
		case <-ctx.Done():
			return nil
		}
	}
}
