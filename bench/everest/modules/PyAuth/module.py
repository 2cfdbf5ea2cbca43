#!/usr/bin/env python3
"""PyAuth: an everestpy stand-in for everest-core's Auth module, as far as an ocpp module sees it
(everest-core 2023.12.0 interfaces auth, reservation, auth_token_validator, auth_token_provider):

- `main` (auth): every command is logged (the ocpp module calls set_connection_timeout at ready);
- `reservation`: reserve_now is refused, cancel_reservation answers false; both logged;
- on global ready, after validate_delay_s: validate_token on each connected token_validator, first with
  accepted_token, then with rejected_token (RFID, ISO14443, as a card reader's token reaches Auth), and logs
  each ValidationResult;
- every provided_token of a connected token_provider is logged (a CSMS RequestStartTransaction).

Each line goes to stdout with a monotonic time and, as one JSON object, to the `out` file when set.
"""

import json
import threading
import time

from everest.framework import Module, RuntimeSession, log


class StandIn:
    def __init__(self):
        self.session = RuntimeSession()
        self.module = Module(self.session)
        self.setup = self.module.say_hello()
        try:
            cfg = dict(self.setup.configs.module or {})
        except Exception:  # noqa: BLE001
            cfg = {}
        self.accepted_token = str(cfg.get("accepted_token", "TSOCPP-OK-01"))
        self.rejected_token = str(cfg.get("rejected_token", "TSOCPP-BAD-01"))
        self.validate_delay_s = float(cfg.get("validate_delay_s", 2))
        self.out_file = str(cfg.get("out", ""))
        self.t0 = time.monotonic()
        self.lock = threading.Lock()

        conns = self.setup.connections
        self.validators = list(conns["token_validator"]) if "token_validator" in conns else []
        self.providers = list(conns["token_provider"]) if "token_provider" in conns else []

        answers = {
            "reserve_now": lambda args: "Rejected",
            "cancel_reservation": lambda args: False,
        }
        # The framework refuses to start a module that leaves a declared command out: register each one.
        for impl_id, interface in self.module.implementations.items():
            for command in interface.commands:
                self.module.implement_command(
                    impl_id, command, self.logged(impl_id, command, answers.get(command, lambda a: None)))

    def record(self, kind, **data):
        at = round(time.monotonic() - self.t0, 3)
        line = {"at_s": at, "kind": kind}
        line.update(data)
        with self.lock:
            print("PyAuth %7.3f %s %s" % (at, kind, json.dumps(data, sort_keys=True)), flush=True)
            if self.out_file:
                with open(self.out_file, "a", encoding="utf-8") as f:
                    f.write(json.dumps(line, sort_keys=True) + "\n")

    def logged(self, impl_id, command, handler):
        def wrapped(args):
            result = handler(args)
            self.record("cmd", impl=impl_id, cmd=command, args=args, result=result)
            return result
        return wrapped

    def validate(self):
        time.sleep(self.validate_delay_s)
        for req in self.validators:
            for token in (self.accepted_token, self.rejected_token):
                provided = {"id_token": token, "authorization_type": "RFID", "id_token_type": "ISO14443"}
                started = time.monotonic()
                try:
                    result = self.module.call_command(req, "validate_token", {"provided_token": provided})
                    self.record("validate_token", module_id=req.module_id, token=token, result=result,
                                ms=round((time.monotonic() - started) * 1000, 1))
                except Exception as e:  # noqa: BLE001
                    self.record("validate_token_failed", module_id=req.module_id, token=token, error=str(e))
                    log.error("PyAuth: validate_token failed: %s" % e)

    def on_ready(self):
        # on_ready runs on the framework's MQTT thread: a command call from here would wait for itself.
        self.record("ready", validators=[r.module_id for r in self.validators],
                    providers=[r.module_id for r in self.providers])
        threading.Thread(target=self.validate, name="validate", daemon=True).start()


def main():
    standin = StandIn()
    for req in standin.providers:
        standin.module.subscribe_variable(
            req, "provided_token",
            lambda value, mid=req.module_id: standin.record("provided_token", module_id=mid, token=value))
    standin.module.init_done(standin.on_ready)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
