package binancesim

import (
	"encoding/json"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/taobot/taobot/exchange"
)

// User-data payloads, field for field as Binance sends them (struct order
// keeps the bytes deterministic).

type wsOrderUpdate struct {
	E int64        `json:"E"`
	T int64        `json:"T"`
	O wsOrderInner `json:"o"`
}

type wsOrderInner struct {
	Symbol        string `json:"s"`
	ClientID      string `json:"c"`
	Side          string `json:"S"`
	Type          string `json:"o"`
	TIF           string `json:"f"`
	Qty           string `json:"q"`
	Price         string `json:"p"`
	AvgPrice      string `json:"ap"`
	StopPrice     string `json:"sp"`
	ExecType      string `json:"x"`
	Status        string `json:"X"`
	OrderID       int64  `json:"i"`
	LastQty       string `json:"l"`
	CumQty        string `json:"z"`
	LastPrice     string `json:"L"`
	CommAsset     string `json:"N,omitempty"`
	Commission    string `json:"n,omitempty"`
	TradeTime     int64  `json:"T"`
	TradeID       int64  `json:"t"`
	BidNotional   string `json:"b"`
	AskNotional   string `json:"a"`
	Maker         bool   `json:"m"`
	ReduceOnly    bool   `json:"R"`
	WorkingType   string `json:"wt"`
	OrigType      string `json:"ot"`
	PositionSide  string `json:"ps"`
	ClosePosition bool   `json:"cp"`
	Realized      string `json:"rp"`
	PriceProtect  bool   `json:"pP"`
	STP           string `json:"V"`
	PriceMatch    string `json:"pm"`
	GTD           int64  `json:"gtd"`
}

func marshalEvent(name string, v any) []byte {
	b, _ := json.Marshal(v)
	// Prepend "e" so it comes first, as on Binance.
	out := make([]byte, 0, len(b)+len(name)+8)
	out = append(out, `{"e":`...)
	out = strconv.AppendQuote(out, name)
	if len(b) > 2 {
		out = append(out, ',')
	}
	return append(out, b[1:]...)
}

// pushOrderUpdateLocked sends ORDER_TRADE_UPDATE for o; t is the fill for TRADE/CALCULATED.
func (s *Sim) pushOrderUpdateLocked(o *order, exec string, t *userTrade) {
	in := wsOrderInner{
		Symbol: Symbol, ClientID: o.clientID, Side: string(o.side), Type: string(o.typ), TIF: string(o.tif),
		Qty: fmtQty(o.qty), Price: fmtPrice(o.price), AvgPrice: fmtAvg(o.avgPrice()), StopPrice: fmtPrice(o.stopPrice),
		ExecType: exec, Status: string(o.status), OrderID: o.id, LastQty: fmtQty(decimal.Zero), CumQty: fmtQty(o.executed),
		LastPrice: fmtPrice(decimal.Zero), TradeTime: s.now.UnixMilli(), BidNotional: "0", AskNotional: "0",
		ReduceOnly: o.reduceOnly, WorkingType: string(o.workingType), OrigType: string(o.origType), PositionSide: "BOTH",
		ClosePosition: o.closePosition, Realized: fmtAmt(decimal.Zero), STP: "EXPIRE_MAKER", PriceMatch: "NONE",
	}
	if o.typ == exchange.Market {
		in.Price = fmtPrice(decimal.Zero)
	}
	if t != nil {
		in.LastQty, in.LastPrice = fmtQty(t.qty), fmtPrice(t.price)
		in.CommAsset, in.Commission = "USDT", fmtAmt(t.commission)
		in.TradeID, in.Maker, in.Realized = t.id, t.maker, fmtAmt(t.realized)
	}
	ms := s.now.UnixMilli()
	s.hub.publishUserLocked("", marshalEvent("ORDER_TRADE_UPDATE", wsOrderUpdate{E: ms, T: ms, O: in}))
}

type wsAccountUpdate struct {
	E int64         `json:"E"`
	T int64         `json:"T"`
	A wsAccountBody `json:"a"`
}

type wsAccountBody struct {
	Reason    string       `json:"m"`
	Balances  []wsBalance  `json:"B"`
	Positions []wsPosition `json:"P"`
}

type wsBalance struct {
	Asset  string `json:"a"`
	Wallet string `json:"wb"`
	Cross  string `json:"cw"`
	Change string `json:"bc"`
}

type wsPosition struct {
	Symbol     string `json:"s"`
	Amount     string `json:"pa"`
	Entry      string `json:"ep"`
	BreakEven  string `json:"bep"`
	Realized   string `json:"cr"`
	UPnL       string `json:"up"`
	MarginType string `json:"mt"`
	Isolated   string `json:"iw"`
	Side       string `json:"ps"`
}

func (s *Sim) wsPositionLocked() wsPosition {
	a := s.acct
	mt := "cross"
	if a.isolated() {
		mt = "isolated"
	}
	return wsPosition{
		Symbol: Symbol, Amount: fmtQty(a.pos.qty), Entry: fmtRate(a.pos.entry), BreakEven: fmtRate(a.pos.entry),
		Realized: fmtAmt(a.pos.cr), UPnL: fmtAmt(a.upnl(s.model.Quote().Mark)), MarginType: mt,
		Isolated: fmtAmt(a.pos.iw), Side: "BOTH",
	}
}

// pushAccountUpdateLocked sends ACCOUNT_UPDATE with the wallet and, if withPos, the position.
func (s *Sim) pushAccountUpdateLocked(reason string, withPos bool) {
	s.pushAccountLocked(reason, decimal.Zero, withPos)
}

func (s *Sim) pushAccountLocked(reason string, change decimal.Decimal, withPos bool) {
	a := s.acct
	body := wsAccountBody{Reason: reason, Balances: []wsBalance{{Asset: "USDT", Wallet: fmtAmt(a.wallet), Cross: fmtAmt(a.crossWallet()), Change: fmtAmt(change)}}, Positions: []wsPosition{}}
	if withPos {
		body.Positions = append(body.Positions, s.wsPositionLocked())
	}
	ms := s.now.UnixMilli()
	s.hub.publishUserLocked("", marshalEvent("ACCOUNT_UPDATE", wsAccountUpdate{E: ms, T: ms, A: body}))
}

// pushFundingUpdateLocked is ACCOUNT_UPDATE reason FUNDING_FEE: balance only
// in cross margin, balance and position in isolated margin, as Binance does.
func (s *Sim) pushFundingUpdateLocked(amount decimal.Decimal) {
	s.pushAccountLocked("FUNDING_FEE", amount, s.acct.isolated())
}

type wsAlgoUpdate struct {
	T int64       `json:"T"`
	E int64       `json:"E"`
	O wsAlgoInner `json:"o"`
}

type wsAlgoInner struct {
	ClientAlgoID  string `json:"caid"`
	AlgoID        int64  `json:"aid"`
	AlgoType      string `json:"at"`
	Type          string `json:"o"`
	Symbol        string `json:"s"`
	Side          string `json:"S"`
	PositionSide  string `json:"ps"`
	TIF           string `json:"f"`
	Qty           string `json:"q"`
	Status        string `json:"X"`
	ActualOrderID string `json:"ai"`
	AvgPrice      string `json:"ap"`
	ExecutedQty   string `json:"aq"`
	ActualType    string `json:"act"`
	TriggerPrice  string `json:"tp"`
	Price         string `json:"p"`
	STP           string `json:"V"`
	WorkingType   string `json:"wt"`
	PriceMatch    string `json:"pm"`
	ClosePosition bool   `json:"cp"`
	PriceProtect  bool   `json:"pP"`
	ReduceOnly    bool   `json:"R"`
	TriggerTime   int64  `json:"tt"`
	GTD           int64  `json:"gtd"`
	Reason        string `json:"rm,omitempty"`
}

// pushAlgoUpdateLocked sends ALGO_UPDATE for g's current status.
func (s *Sim) pushAlgoUpdateLocked(g *algoOrder) {
	in := wsAlgoInner{
		ClientAlgoID: g.clientID, AlgoID: g.id, AlgoType: "CONDITIONAL", Type: string(g.typ), Symbol: Symbol,
		Side: string(g.side), PositionSide: "BOTH", TIF: "GTC", Qty: fmtQty(g.qty), Status: string(g.status),
		ActualOrderID: "", AvgPrice: fmtAvg(g.avgPrice), ExecutedQty: fmtQty(g.executedQty), ActualType: "",
		TriggerPrice: fmtPrice(g.trigger), Price: fmtPrice(decimal.Zero), STP: "EXPIRE_MAKER", WorkingType: string(g.workingType),
		PriceMatch: "NONE", ClosePosition: g.closePosition, PriceProtect: g.priceProtect, ReduceOnly: g.reduceOnly, Reason: g.reason,
	}
	if g.actualOrderID != 0 {
		in.ActualOrderID, in.ActualType = strconv.FormatInt(g.actualOrderID, 10), string(exchange.Market)
	}
	if !g.triggerTime.IsZero() {
		in.TriggerTime = g.triggerTime.UnixMilli()
	}
	ms := s.now.UnixMilli()
	s.hub.publishUserLocked("", marshalEvent("ALGO_UPDATE", wsAlgoUpdate{T: ms, E: ms, O: in}))
}

// expireKeyLocked ends a listen key: listenKeyExpired is pushed to its
// connections, which are then closed, and the key stops being accepted.
func (s *Sim) expireKeyLocked(key string) {
	delete(s.keys, key)
	msg := marshalEvent("listenKeyExpired", struct {
		E         int64  `json:"E"`
		ListenKey string `json:"listenKey"`
	}{s.now.UnixMilli(), key})
	for c := range s.hub.conns {
		if c.key == key {
			if c.combined {
				s.hub.enqueueLocked(c, wrapCombined(key, msg))
			} else {
				s.hub.enqueueLocked(c, msg)
			}
			c.key = "expired:" + key // the connection stays open but receives nothing more
		}
	}
}
