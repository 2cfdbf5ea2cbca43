#!/usr/bin/env python3
"""PySystem: an everestpy stand-in for everest-core's System module as an ocpp module sees it (everest-core
2023.12.0 interface `system`):

- is_reset_allowed answers `reset_allowed`; reset is recorded, and the module exits exit_after_reset_s later
  (the real System reboots the machine here), which stops the manager;
- update_firmware answers Accepted and then publishes firmware_update_status with the request_id, step_s apart:
  DownloadScheduled, Downloading, Downloaded (+ SignatureVerified when the request carries a signature), then
  waits for allow_firmware_installation (install_wait_s at most, else InstallationFailed) before Installing,
  Installed;
- upload_logs answers Accepted (with a file name) and publishes log_status Uploading, then Uploaded;
- set_system_time is recorded and answers true; get_boot_reason answers `boot_reason`.

Each call and each published status is one JSON line on stdout ({"PySystem": at_s, "kind": ...}) and in `out`.
"""

import json
import os
import sys
import threading
import time

from everest.framework import Module, RuntimeSession, log

IMPL = "main"


class StandIn:
    def __init__(self):
        self.session = RuntimeSession()
        self.module = Module(self.session)
        self.setup = self.module.say_hello()
        try:
            cfg = dict(self.setup.configs.module or {})
        except Exception:  # noqa: BLE001
            cfg = {}
        self.boot_reason = str(cfg.get("boot_reason", "FirmwareUpdate"))
        self.step_s = float(cfg.get("step_s", 1))
        self.install_wait_s = float(cfg.get("install_wait_s", 120))
        self.reset_allowed = bool(cfg.get("reset_allowed", True))
        self.exit_after_reset_s = float(cfg.get("exit_after_reset_s", 3))
        self.out_file = str(cfg.get("out", ""))
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.allowed = threading.Event()
        self.done = threading.Event()

        handlers = {
            "is_reset_allowed": lambda args: self.reset_allowed,
            "reset": self.reset,
            "update_firmware": self.update_firmware,
            "allow_firmware_installation": self.allow_firmware_installation,
            "upload_logs": self.upload_logs,
            "set_system_time": lambda args: True,
            "get_boot_reason": lambda args: self.boot_reason,
        }
        # The framework refuses to start a module that leaves a declared command out: register each one.
        for impl_id, interface in self.module.implementations.items():
            for command in interface.commands:
                self.module.implement_command(impl_id, command, self.logged(command, handlers.get(command, lambda a: None)))

    def record(self, kind, **data):
        line = {"PySystem": round(time.monotonic() - self.t0, 3), "wall": time.time(), "kind": kind}
        line.update(data)
        text = json.dumps(line, sort_keys=True)
        with self.lock:
            print(text, flush=True)
            if self.out_file:
                with open(self.out_file, "a", encoding="utf-8") as f:
                    f.write(text + "\n")

    def logged(self, command, handler):
        def wrapped(args):
            result = handler(args)
            self.record("cmd", cmd=command, args=args, result=result)
            return result
        return wrapped

    def publish(self, var, value):
        self.module.publish_variable(IMPL, var, value)
        self.record("var", var=var, value=value)

    # -- commands ----------------------------------------------------------------------------------

    def reset(self, args):
        if self.exit_after_reset_s >= 0:
            threading.Timer(self.exit_after_reset_s, self.done.set).start()
        return None

    def update_firmware(self, args):
        req = args.get("firmware_update_request") or {}
        request_id = int(req.get("request_id", -1))
        signed = bool(req.get("signature"))
        self.allowed.clear()
        # A command handler runs on the framework's thread: the statuses come from another one, after the answer.
        threading.Thread(target=self.play_firmware, args=(request_id, signed), name="firmware", daemon=True).start()
        return "Accepted"

    def allow_firmware_installation(self, args):
        self.allowed.set()
        return None

    def upload_logs(self, args):
        req = args.get("upload_logs_request") or {}
        request_id = int(req.get("request_id", -1))
        threading.Thread(target=self.play_log, args=(request_id,), name="log", daemon=True).start()
        return {"upload_logs_status": "Accepted", "file_name": "pysystem-%d.log" % request_id}

    # -- statuses ----------------------------------------------------------------------------------

    def firmware(self, request_id, status):
        time.sleep(self.step_s)
        self.publish("firmware_update_status", {"firmware_update_status": status, "request_id": request_id})

    def play_firmware(self, request_id, signed):
        try:
            for status in ["DownloadScheduled", "Downloading", "Downloaded"] + (["SignatureVerified"] if signed else []):
                self.firmware(request_id, status)
            if not self.allowed.wait(self.install_wait_s):
                self.record("no_allow_firmware_installation", waited_s=self.install_wait_s)
                self.firmware(request_id, "InstallationFailed")
                return
            self.firmware(request_id, "Installing")
            self.firmware(request_id, "Installed")
        except Exception as e:  # noqa: BLE001
            log.error("PySystem: firmware update failed: %s" % e)

    def play_log(self, request_id):
        try:
            for status in ("Uploading", "Uploaded"):
                time.sleep(self.step_s)
                self.publish("log_status", {"log_status": status, "request_id": request_id})
        except Exception as e:  # noqa: BLE001
            log.error("PySystem: log upload failed: %s" % e)

    def on_ready(self):
        self.record("ready")


def main():
    standin = StandIn()
    standin.module.init_done(standin.on_ready)
    while not standin.done.wait(1.0):
        pass
    standin.record("exit", why="reset")
    sys.stdout.flush()
    # os._exit: the framework's C++ threads would keep a normal interpreter exit waiting.
    os._exit(0)


if __name__ == "__main__":
    main()
