"""A small fake of Stripe's API for the tests: just the endpoints ParkHub calls.

The real stripe SDK talks to it over HTTP (its API base pointed here), so requests are
encoded, sent and parsed exactly as in production. Tests move payments along with
helpers (`complete`, `refund`) the way a customer and the Stripe dashboard would, and
build webhook events signed exactly as Stripe signs them.
"""

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


def _nested(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (a[b][0][c]=v) back into dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node):
    if isinstance(node, dict):
        if node and all(key.isdigit() for key in node):
            return [_listify(node[key]) for key in sorted(node, key=int)]
        return {key: _listify(value) for key, value in node.items()}
    return node


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<ts>,v1=<HMAC-SHA256 of "ts.payload" with the endpoint secret>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


class FakeStripe:
    def __init__(self):
        self.lock = threading.Lock()
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}
        self.charges: dict[str, dict] = {}
        self.idempotent: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.sessions.clear()
            self.intents.clear()
            self.charges.clear()
            self.idempotent.clear()
            self.requests.clear()

    # -- what the customer and the dashboard do -------------------------------------

    def complete(self, session_id: str) -> dict:
        """The customer pays: a succeeded PaymentIntent with its charge; the session is complete and paid."""
        with self.lock:
            session = self.sessions[session_id]
            intent_id = f"pi_{uuid.uuid4().hex[:24]}"
            charge_id = f"ch_{uuid.uuid4().hex[:24]}"
            self.charges[charge_id] = {
                "id": charge_id,
                "object": "charge",
                "amount": session["amount_total"],
                "amount_refunded": 0,
                "currency": "cny",
                "paid": True,
                "refunded": False,
                "payment_intent": intent_id,
                "status": "succeeded",
                "metadata": {},
            }
            self.intents[intent_id] = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": session["amount_total"],
                "currency": "cny",
                "status": "succeeded",
                "latest_charge": charge_id,
                "metadata": dict(session["_payment_intent_metadata"]),
            }
            session.update(status="complete", payment_status="paid", payment_intent=intent_id)
            return self._public(session)

    def refund(self, payment_intent_id: str) -> dict:
        with self.lock:
            return self._refund(payment_intent_id)

    def _refund(self, payment_intent_id: str) -> dict:
        intent = self.intents[payment_intent_id]
        charge = self.charges[intent["latest_charge"]]
        charge.update(amount_refunded=charge["amount"], refunded=True)
        return {
            "id": f"re_{uuid.uuid4().hex[:24]}",
            "object": "refund",
            "amount": charge["amount"],
            "currency": "cny",
            "charge": charge["id"],
            "payment_intent": payment_intent_id,
            "status": "succeeded",
            "metadata": {},
        }

    def session(self, session_id: str) -> dict:
        with self.lock:
            return self._public(self.sessions[session_id])

    def charge_of(self, payment_intent_id: str) -> dict:
        with self.lock:
            return dict(self.charges[self.intents[payment_intent_id]["latest_charge"]])

    @staticmethod
    def event(event_type: str, obj: dict, *, event_id: str | None = None) -> str:
        """A webhook payload as Stripe sends it (compact JSON; the signature covers these exact bytes)."""
        return json.dumps(
            {
                "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
                "object": "event",
                "api_version": "2025-10-29.clover",
                "created": int(time.time()),
                "livemode": False,
                "pending_webhooks": 1,
                "type": event_type,
                "data": {"object": obj},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    # -- the HTTP side ---------------------------------------------------------------

    @staticmethod
    def _public(session: dict) -> dict:
        return {key: value for key, value in session.items() if not key.startswith("_")}

    def _create_session(self, params: dict) -> dict:
        item = params["line_items"][0]
        amount = int(item["price_data"]["unit_amount"])
        session_id = f"cs_test_{uuid.uuid4().hex}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": amount,
            "currency": item["price_data"]["currency"],
            "metadata": params.get("metadata", {}),
            "payment_intent": None,
            "client_reference_id": params.get("client_reference_id"),
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "payment_method_types": params.get("payment_method_types", []),
            "customer_email": params.get("customer_email"),
            "url": f"{self.url}/pay/{session_id}",
            "_payment_intent_metadata": params.get("payment_intent_data", {}).get("metadata", {}),
            "_product": item["price_data"]["product_data"]["name"],
        }
        self.sessions[session_id] = session
        return self._public(session)

    def _handle(self, method: str, path: str, params: dict, idempotency_key: str | None):
        with self.lock:
            self.requests.append(
                {"method": method, "path": path, "params": params, "idempotency_key": idempotency_key}
            )
            if method == "POST" and idempotency_key and idempotency_key in self.idempotent:
                return 200, self.idempotent[idempotency_key]
            status, body = self._route(method, path, params)
            if method == "POST" and idempotency_key and status == 200:
                self.idempotent[idempotency_key] = body
            return status, body

    def _route(self, method: str, path: str, params: dict):
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._create_session(params)
        match = re.fullmatch(r"/v1/checkout/sessions/([^/]+)(/expire)?", path)
        if match and match.group(1) in self.sessions:
            session = self.sessions[match.group(1)]
            if match.group(2) and method == "POST":
                if session["status"] != "open":
                    return 400, {
                        "error": {"type": "invalid_request_error", "message": "Session is not open."}
                    }
                session["status"] = "expired"
            return 200, self._public(session)
        match = re.fullmatch(r"/v1/payment_intents/([^/]+)", path)
        if match and method == "GET" and match.group(1) in self.intents:
            intent = dict(self.intents[match.group(1)])
            if "latest_charge" in (params.get("expand") or []):
                intent["latest_charge"] = dict(self.charges[intent["latest_charge"]])
            return 200, intent
        if method == "POST" and path == "/v1/refunds" and params.get("payment_intent") in self.intents:
            return 200, self._refund(params["payment_intent"])
        return 404, {"error": {"type": "invalid_request_error", "message": f"No such resource: {path}"}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str):
                url = urlsplit(self.path)
                pairs = parse_qsl(url.query, keep_blank_values=True)
                if method == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    pairs += parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
                if not (self.headers.get("Authorization") or "").startswith("Bearer sk_test_"):
                    status, body = (
                        401,
                        {"error": {"type": "invalid_request_error", "message": "Invalid API key"}},
                    )
                else:
                    status, body = fake._handle(
                        method, url.path, _nested(pairs), self.headers.get("Idempotency-Key")
                    )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{uuid.uuid4().hex[:14]}")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def log_message(self, *args):
                pass

        return Handler
