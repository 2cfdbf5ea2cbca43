#!/usr/bin/env python3
"""PyOcppProvider: a trivial everestpy provider of `ocpp` (implementation `ocpp_generic`, as TsOcpp and OCPP201 name it) and `ocpp_data_transfer`
(implementation `data_transfer`), the baseline TsOcpp is compared with.

- get_variables: for each request, Accepted with the value kept in an in-memory dict
  (UnknownVariable when the component/variable was never set and has no default);
- set_variables: stores the value, Accepted;
- security_event: keeps the event (either argument form: `event: {type, info, ...}` or `type`, `info`);
- stop/restart: true; change_availability: Accepted; monitor_variables: nothing;
- data_transfer: Accepted, echoing the request's data;
- any other command a newer interface declares: answers null.

Works with everestpy of everest-framework v0.20.3, v0.24.0 and v0.25.0 (same Python API).
"""

import collections
import os
import threading
import time

from everest.framework import Module, RuntimeSession, log

DEFAULTS = {
    ("OCPPCommCtrlr", "HeartbeatInterval"): "300",
}


def key_of(component_variable):
    component = component_variable.get("component") or {}
    variable = component_variable.get("variable") or {}
    evse = component.get("evse") or {}
    return (component.get("name"), variable.get("name"), component.get("instance"), variable.get("instance"),
            evse.get("id"), evse.get("connector_id"))


class Provider:
    def __init__(self):
        self.session = RuntimeSession()
        self.module = Module(self.session)
        self.setup = self.module.say_hello()
        self.lock = threading.Lock()
        self.values = {}
        for (component, variable), value in DEFAULTS.items():
            self.values[(component, variable, None, None, None, None)] = value
        self.security_events = collections.deque(maxlen=1000)
        self.security_event_count = 0
        self.calls = collections.Counter()

        handlers = {
            "get_variables": self.get_variables,
            "set_variables": self.set_variables,
            "security_event": self.security_event,
            "stop": lambda args: True,
            "restart": lambda args: True,
            "change_availability": lambda args: {"status": "Accepted"},
            "monitor_variables": lambda args: None,
            "data_transfer": self.data_transfer,
        }
        # Register every command the interface definitions in force declare (the framework refuses to
        # start a module that leaves one out).
        for impl_id, interface in self.module.implementations.items():
            for command in interface.commands:
                handler = handlers.get(command, lambda args: None)
                self.module.implement_command(impl_id, command, self.counted(command, handler))

    def counted(self, command, handler):
        def wrapped(args):
            self.calls[command] += 1
            return handler(args)
        return wrapped

    def get_variables(self, args):
        results = []
        with self.lock:
            for request in args.get("requests") or []:
                cv = request.get("component_variable") or {}
                result = {"component_variable": cv}
                if "attribute_type" in request:
                    result["attribute_type"] = request["attribute_type"]
                value = self.values.get(key_of(cv))
                if value is None:
                    result["status"] = "UnknownVariable"
                else:
                    result["status"] = "Accepted"
                    result["value"] = value
                results.append(result)
        return results

    def set_variables(self, args):
        results = []
        with self.lock:
            for request in args.get("requests") or []:
                cv = request.get("component_variable") or {}
                self.values[key_of(cv)] = str(request.get("value", ""))
                result = {"status": "Accepted", "component_variable": cv}
                if "attribute_type" in request:
                    result["attribute_type"] = request["attribute_type"]
                results.append(result)
        return results

    def security_event(self, args):
        event = args.get("event")
        if not isinstance(event, dict):
            event = {"type": args.get("type"), "info": args.get("info")}
        with self.lock:
            self.security_events.append(event)
            self.security_event_count += 1
        return None

    def data_transfer(self, args):
        request = args.get("request") or {}
        response = {"status": "Accepted"}
        if "data" in request:
            response["data"] = request["data"]
        return response

    def on_ready(self):
        log.info("PyOcppProvider: ready, serving %s" % ", ".join(sorted(self.module.implementations.keys())))


def main():
    provider = Provider()
    provider.module.init_done(provider.on_ready)
    last = None
    while True:
        time.sleep(10)
        if os.environ.get("PYOCPP_PROVIDER_STATS") == "1":
            snapshot = dict(provider.calls)
            if snapshot != last:
                log.info("PyOcppProvider: calls %s, security events %d" % (snapshot, provider.security_event_count))
                last = snapshot


if __name__ == "__main__":
    main()
