package market

// The synthetic order book. It is a function, not a list of orders: level i
// away from the best price on either side holds levelQty(price, i) base
// steps, except the best level, whose remaining quantity is tracked so that
// consecutive takers eat into it. Prices are integer ticks and quantities
// integer steps throughout, so every value the API reports is on the grid.

// book is the top of the synthetic order book.
type book struct {
	bid     int64   // best bid, ticks, a multiple of gap
	gap     int64   // ticks between adjacent levels; the spread is one gap
	bidLeft int64   // steps left at the best bid
	askLeft int64   // steps left at the best ask
	base    int64   // steps at the first level when depth is 1
	depth   float64 // regime's depth multiplier (thin books in shocks)
	round   int64   // ticks of the smallest round number; levels there hold more
}

// ask is the best ask in ticks.
func (b *book) ask() int64 { return b.bid + b.gap }

// mid2 is twice the mid price in ticks (integer even when gap is odd).
func (b *book) mid2() int64 { return 2*b.bid + b.gap }

// levelQty is the resting quantity at a level i gaps from the best price.
// Depth grows away from the touch, varies deterministically with the price
// (a hash, no randomness consumed) and is larger on round numbers, where
// people rest orders.
func (b *book) levelQty(price int64, i int64) int64 {
	h := uint64(price) * 0x9e3779b97f4a7c15
	h ^= h >> 29
	jitter := 0.6 + float64(h%800)/1000 // 0.6 .. 1.4
	q := float64(b.base) * b.depth * (1 + 0.04*float64(i)) * jitter
	if b.round > 0 && price%b.round == 0 {
		q *= 3
	}
	if q < 1 {
		return 1
	}
	return int64(q)
}

// setBid moves the best bid to bid (on the gap grid) with fresh levels on both sides.
func (b *book) setBid(bid int64) {
	b.bid = bid
	b.bidLeft = b.levelQty(b.bid, 0)
	b.askLeft = b.levelQty(b.ask(), 0)
}

// replenish lets market makers refill the best levels a little each sub-step.
func (b *book) replenish() {
	if full := b.levelQty(b.bid, 0); b.bidLeft < full {
		b.bidLeft = min(full, b.bidLeft+full/8+1)
	}
	if full := b.levelQty(b.ask(), 0); b.askLeft < full {
		b.askLeft = min(full, b.askLeft+full/8+1)
	}
}

// fillTicks is one fill of a taker walk.
type fillTicks struct {
	price, qty int64
}

// maxWalk bounds how many levels one taker order may sweep; what is left
// unfilled past it is dropped (an IOC remainder).
const maxWalk = 4000

// walk executes a taker order of qty steps on side sign (+1 buys from the
// asks, -1 sells into the bids), never beyond limit ticks when limit > 0.
// It appends one fill per level touched to dst and leaves the best level
// where the walk stopped. It returns the fills and the unfilled quantity.
func (b *book) walk(dst []fillTicks, sign int64, qty, limit int64) ([]fillTicks, int64) {
	for i := int64(0); qty > 0 && i < maxWalk; i++ {
		var price, avail int64
		if sign > 0 {
			price = b.ask()
			avail = b.askLeft
		} else {
			price = b.bid
			avail = b.bidLeft
		}
		if limit > 0 && ((sign > 0 && price > limit) || (sign < 0 && price < limit)) {
			break
		}
		take := min(qty, avail)
		if take > 0 {
			dst = append(dst, fillTicks{price: price, qty: take})
			qty -= take
		}
		if take < avail {
			if sign > 0 {
				b.askLeft -= take
			} else {
				b.bidLeft -= take
			}
			break
		}
		// The level is gone: the book moves one gap, and makers quote the
		// other side right behind it.
		if sign > 0 {
			b.bid += b.gap
			b.bidLeft = b.levelQty(b.bid, 0)
			b.askLeft = b.levelQty(b.ask(), i+1)
		} else {
			b.bid -= b.gap
			b.askLeft = b.levelQty(b.ask(), 0)
			b.bidLeft = b.levelQty(b.bid, i+1)
		}
	}
	return dst, qty
}
