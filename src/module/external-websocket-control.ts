// OCPP201's EnableExternalWebsocketControl: the CSMS connection opened and closed from outside EVerest through two
// external MQTT topics (everest-core OCPP201.cpp subscribes the same two). A connect while the link is up changes
// nothing (libocpp's connect_websocket); a disconnect keeps the link down until a connect or `restart`. The
// payload is not read. Without a CSMS link the topics are not subscribed.
import type { EverestModule } from '../everest/module.js';
import type { Logger } from '../log.js';
import type { OcppService } from '../ocpp/service.js';
import type { TsOcppSpec } from './ocpp-module.js';

export const CONNECT_TOPIC = 'everest_api/ocpp/cmd/connect';
export const DISCONNECT_TOPIC = 'everest_api/ocpp/cmd/disconnect';

export async function bindExternalWebsocketControl(mod: EverestModule<TsOcppSpec>, service: OcppService, hasLink: boolean, log: Logger): Promise<void> {
  if (!hasLink) {
    log.warn('EnableExternalWebsocketControl is set but there is no CSMS link (csms_url is empty): nothing to control');
    return;
  }
  await mod.subscribeExternal(CONNECT_TOPIC, () => {
    if (service.isConnected()) return;
    log.info('external control: connecting to the CSMS');
    service.restart();
  });
  await mod.subscribeExternal(DISCONNECT_TOPIC, () => {
    log.info('external control: disconnecting from the CSMS');
    service.stop();
  });
  log.info({ topics: [CONNECT_TOPIC, DISCONNECT_TOPIC] }, 'the CSMS connection follows the external MQTT topics (EnableExternalWebsocketControl)');
}
