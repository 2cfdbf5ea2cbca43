#!/usr/bin/env python3
"""PyEvseManager: an everestpy stand-in for an EVerest EvseManager (interface evse_manager, everest-core
2023.12.0 shapes) that plays one AC session once every module is ready:

  SessionStarted(EVConnected) -> TransactionStarted(id token, meter) -> ChargingStarted
  -> powermeter each second with growing energy for charge_seconds
  -> StoppingCharging -> TransactionFinished(EVDisconnected, meter) -> SessionFinished

The powermeter var is published every second from ready on (idle before and after the session, as a real
meter does). Commands get fixed answers: enable/disable true, get_evse one connector, the rest the smallest
valid result. Then the module exits after exit_after_s, which makes the manager stop. Every event and
command is logged to stdout with a monotonic time, so a run can be compared with what the CSMS received.
"""

import datetime
import os
import sys
import threading
import time
import uuid

from everest.framework import Module, RuntimeSession, log

IMPL = "main"


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StandIn:
    def __init__(self):
        self.session = RuntimeSession()
        self.module = Module(self.session)
        self.setup = self.module.say_hello()
        try:
            cfg = dict(self.setup.configs.module or {})
        except Exception:  # noqa: BLE001
            cfg = {}
        self.charge_seconds = int(cfg.get("charge_seconds", 10))
        self.start_delay_s = float(cfg.get("start_delay_s", 3))
        self.power_W = float(cfg.get("power_W", 11000))
        self.id_token = str(cfg.get("id_token", "TSOCPP-TEST-01"))
        self.exit_after_s = float(cfg.get("exit_after_s", 8))
        self.sessions = int(cfg.get("sessions", 1))
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.energy_Wh = 1000.0  # the meter's register never starts at 0
        self.charging = False
        self.done = threading.Event()
        self.enabled = True

        handlers = {
            "get_evse": lambda args: {"id": 1, "connectors": [{"id": 1, "type": "cType2"}]},
            "enable": lambda args: self.set_enabled(args, True),
            "disable": lambda args: self.set_enabled(args, False),
            "enable_disable": lambda args: self.set_enabled(
                args, (args.get("cmd_source") or {}).get("enable_state") != "Disable"),
            "authorize_response": lambda args: None,
            "withdraw_authorization": lambda args: None,
            "reserve": lambda args: False,
            "cancel_reservation": lambda args: None,
            "set_faulted": lambda args: None,
            "pause_charging": lambda args: True,
            "resume_charging": lambda args: True,
            "stop_transaction": lambda args: True,
            "force_unlock": lambda args: True,
            "set_external_limits": lambda args: True,
            "switch_three_phases_while_charging": lambda args: "Error_NotSupported",
            "set_get_certificate_response": lambda args: None,
            "external_ready_to_start_charging": lambda args: True,
        }
        # The framework refuses to start a module that leaves a declared command out: register each one.
        for impl_id, interface in self.module.implementations.items():
            for command in interface.commands:
                self.module.implement_command(impl_id, command, self.logged(command, handlers.get(command, lambda a: None)))

    def stamp(self):
        return "%7.3f" % (time.monotonic() - self.t0)

    def out(self, line):
        print("PyEvseManager %s %s" % (self.stamp(), line), flush=True)

    def logged(self, command, handler):
        def wrapped(args):
            result = handler(args)
            self.out("cmd %s %s -> %s" % (command, args, result))
            return result
        return wrapped

    def set_enabled(self, args, enabled):
        self.enabled = enabled
        return True

    # -- vars --------------------------------------------------------------------------------------

    def meter(self):
        with self.lock:
            power = self.power_W if self.charging else 0.0
            current = round(power / 3 / 230.0, 2)
            return {
                "timestamp": now_rfc3339(),
                "meter_id": "PyEvseManager-meter",
                "energy_Wh_import": {"total": round(self.energy_Wh, 3)},
                "power_W": {"total": power},
                "voltage_V": {"L1": 230.0, "L2": 230.0, "L3": 230.0},
                "current_A": {"L1": current, "L2": current, "L3": current},
            }

    def publish_meter(self):
        value = self.meter()
        self.module.publish_variable(IMPL, "powermeter", value)
        return value

    def event(self, name, uid, **data):
        ev = {"uuid": uid, "connector_id": 1, "event": name}
        ev.update(data)
        self.module.publish_variable(IMPL, "session_event", ev)
        self.out("session_event %s" % name)

    def meter_loop(self):
        last = time.monotonic()
        while not self.done.is_set():
            time.sleep(max(0.0, last + 1.0 - time.monotonic()))
            t = time.monotonic()
            with self.lock:
                if self.charging:
                    self.energy_Wh += self.power_W * (t - last) / 3600.0
            last = t
            value = self.publish_meter()
            if self.charging:
                self.out("powermeter %.3f Wh" % value["energy_Wh_import"]["total"])

    # -- the session -------------------------------------------------------------------------------

    def play(self):
        time.sleep(self.start_delay_s)
        for n in range(self.sessions):
            if n > 0:
                time.sleep(5)
            self.play_one()
        if self.exit_after_s >= 0:
            time.sleep(self.exit_after_s)
            self.done.set()

    def play_one(self):
        try:
            uid = str(uuid.uuid4())
            self.event("SessionStarted", uid, session_started={"timestamp": now_rfc3339(), "reason": "EVConnected"})
            time.sleep(0.5)
            self.event("TransactionStarted", uid, transaction_started={
                "timestamp": now_rfc3339(),
                "meter_value": self.meter(),
                "id_tag": {"id_token": self.id_token, "authorization_type": "RFID", "id_token_type": "ISO14443"},
            })
            time.sleep(0.5)
            self.event("PrepareCharging", uid)
            with self.lock:
                self.charging = True
            self.event("ChargingStarted", uid)
            time.sleep(self.charge_seconds)
            with self.lock:
                self.charging = False
            self.event("StoppingCharging", uid)
            time.sleep(0.3)
            self.event("TransactionFinished", uid, transaction_finished={
                "timestamp": now_rfc3339(), "meter_value": self.meter(), "reason": "EVDisconnected"})
            time.sleep(0.3)
            self.event("SessionFinished", uid, session_finished={"timestamp": now_rfc3339()})
            self.out("session played")
        except Exception as e:  # noqa: BLE001
            log.error("PyEvseManager: session failed: %s" % e)

    def on_ready(self):
        # on_ready runs on the framework's MQTT thread: the session must not block it.
        self.out("ready")
        self.module.publish_variable(IMPL, "ready", True)
        threading.Thread(target=self.meter_loop, name="meter", daemon=True).start()
        threading.Thread(target=self.play, name="session", daemon=True).start()


def main():
    standin = StandIn()
    standin.module.init_done(standin.on_ready)
    while not standin.done.wait(1.0):
        pass
    sys.stdout.flush()
    # os._exit: the framework's C++ threads would keep a normal interpreter exit waiting.
    os._exit(0)


if __name__ == "__main__":
    main()
