// What TsOcpp really does, as the device model's Available/Enabled flags tell a CSMS: a CSMS reading the
// full inventory must learn the truth (issue 16 item 8). This table is the one place that says which
// feature is real.
//
// When a feature lands, set its `real` to true here, then do what test/device-model-honest.test.ts asks:
// give its flags their real values in config/device_model (true; Enabled back to ReadWrite, as OCPP and
// libocpp have it) and add a migration in db.ts that does the same to existing databases, by the rule
// migration 2 explains (only values still equal to their seeded default). The test holds the seed, a
// migrated database of the old seed, and a CSMS's FullInventory to this table.

export interface CapabilityFlag {
  component: string;
  variable: 'Available' | 'Enabled';
}

export interface Feature {
  what: string;
  real: boolean;
  /** Flags of the seed that report it (station-wide controller variables, no instance). */
  flags: readonly CapabilityFlag[];
}

export const FEATURES: readonly Feature[] = [
  { what: 'the OCPP 2.0.1 link to a CSMS', real: true, flags: [{ component: 'OCPPCommCtrlr', variable: 'Enabled' }] },
  { what: 'transactions (TransactionEvent, E01-E15)', real: true, flags: [{ component: 'TxCtrlr', variable: 'Enabled' }] },
  {
    what: 'sampled meter values (SampledDataCtrlr, J02)',
    real: true,
    flags: [{ component: 'SampledDataCtrlr', variable: 'Available' }, { component: 'SampledDataCtrlr', variable: 'Enabled' }],
  },
  { what: 'authorization (validate_token, Authorize, C01-C15; src/ocpp/auth)', real: true, flags: [{ component: 'AuthCtrlr', variable: 'Enabled' }] },
  {
    what: 'the authorization cache (C10, ClearCache C11; src/ocpp/auth)',
    real: true,
    flags: [{ component: 'AuthCacheCtrlr', variable: 'Available' }, { component: 'AuthCacheCtrlr', variable: 'Enabled' }],
  },
  {
    what: 'the local authorization list (SendLocalList D01, GetLocalListVersion D02; src/ocpp/auth)',
    real: true,
    flags: [{ component: 'LocalAuthListCtrlr', variable: 'Available' }, { component: 'LocalAuthListCtrlr', variable: 'Enabled' }],
  },
  {
    what: 'clock-aligned meter values (AlignedDataCtrlr, J01)',
    real: true,
    flags: [{ component: 'AlignedDataCtrlr', variable: 'Available' }, { component: 'AlignedDataCtrlr', variable: 'Enabled' }],
  },
  {
    what: 'smart charging (SetChargingProfile K01, GetCompositeSchedule K08, GetChargingProfiles K09, ClearChargingProfile K10; src/ocpp/smart-charging)',
    real: true,
    flags: [{ component: 'SmartChargingCtrlr', variable: 'Available' }, { component: 'SmartChargingCtrlr', variable: 'Enabled' }],
  },
];

/**
 * Controllers of OCPP 2.0.1 whose behaviour TsOcpp does not have and which the seed therefore does not
 * list at all (no component, so nothing is claimed). Adding one to config/device_model needs its flags in
 * FEATURES.
 */
export const ABSENT_CONTROLLERS: readonly string[] = [
  'CustomizationCtrlr', 'DisplayMessageCtrlr', 'ISO15118Ctrlr', 'MonitoringCtrlr', 'ReservationCtrlr', 'TariffCostCtrlr',
];

/** The flags that must read false: the features TsOcpp does not have. */
export function lackingFlags(): CapabilityFlag[] {
  return FEATURES.filter((f) => !f.real).flatMap((f) => f.flags);
}
