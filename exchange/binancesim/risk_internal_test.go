package binancesim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
	"github.com/taobot/taobot/exchange/fakeclock"
	"github.com/taobot/taobot/risk"
)

func TestNewRejectsABadBracketTable(t *testing.T) {
	bad := risk.DefaultTAOBrackets()
	bad[0].MaintMarginRatio = decimal.RequireFromString("1.5")
	if s, err := New(Options{Scenario: FallbackScenario, Brackets: bad}); err == nil {
		_ = s.Close()
		t.Fatal("New accepted a maintenance margin ratio of 1.5")
	}
}

// A risk error other than "no liquidation" must not read as "cannot be
// liquidated": it is recorded and signed requests are refused.
func TestRiskErrorRefusesSignedRequests(t *testing.T) {
	wall := fakeclock.New(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	s, err := New(Options{Scenario: FallbackScenario, Wall: wall})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	s.mu.Lock()
	if _, e := s.placeOrderLocked(orderParams{clientID: "long", side: exchange.Buy, typ: exchange.Market, qty: decimal.NewFromInt(1)}); e != nil {
		s.mu.Unlock()
		t.Fatal(e)
	}
	bad := append([]exchange.Bracket(nil), s.rules.Brackets...)
	bad[0].MaintMarginRatio = decimal.RequireFromString("1.5") // as if the table were corrupted at run time
	s.rules.Brackets = bad
	s.checkLiquidationLocked()
	s.mu.Unlock()
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "maintenance margin ratio 1.5") {
		t.Fatalf("Err() = %v, want the bracket error", err)
	}
	q := "symbol=TAOUSDT&side=BUY&type=MARKET&quantity=1&timestamp=" + strconv.FormatInt(wall.Now().UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(s.APISecret))
	mac.Write([]byte(q))
	req := httptest.NewRequest(http.MethodPost, "/fapi/v1/order?"+q+"&signature="+hex.EncodeToString(mac.Sum(nil)), nil)
	req.Header.Set("X-MBX-APIKEY", s.APIKey)
	rec := httptest.NewRecorder()
	s.routes().ServeHTTP(rec, req)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":-1000`) {
		t.Fatalf("order after a risk error: %d %s", rec.Code, rec.Body)
	}
	if a := s.Account(); !a.Position.Qty.Equal(decimal.NewFromInt(1)) {
		t.Fatalf("the refused order changed the position to %s", a.Position.Qty)
	}
}
