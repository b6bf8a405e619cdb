"""Transceiver layouts without a permissively licensed real capture in tests/parsers.

The fragments below are short layout examples (a block or two in each family's format, values made
up), not device captures. Each checks that the family's layout parses and that the readings and
the module's own thresholds reach the health model.
"""

from __future__ import annotations

from netpatrol.inspection.capture import parse_capture

H3C_DIAGNOSIS = """\
Ten-GigabitEthernet1/0/49 transceiver diagnostic information:
  Current diagnostic parameters:
    Temp.(°C) Voltage(V)  Bias(mA)  RX power(dBm)  TX power(dBm)
    41        3.29        6.50      -12.40         -2.60
  Alarm thresholds:
          Temp.(°C) Voltage(V)  Bias(mA)  RX power(dBm)  TX power(dBm)
    High  80        3.60        15.00     0.50           0.50
    Low   -15       3.00        0.00      -11.10         -8.20

Ten-GigabitEthernet1/0/50 transceiver diagnostic information:
  The transceiver is absent.
"""

HUAWEI_S_VERBOSE = """\
Port GigabitEthernet0/0/1 :Valid only on optical interface.

XGigabitEthernet0/0/1 transceiver information:
-------------------------------------------------------------
Common information:
  Transceiver Type               :10GBASE_LR_SFP
  Connector Type                 :LC
  Wavelength(nm)                 :1310
  Transfer Distance(m)           :10000(9um)
  Digital Diagnostic Monitoring  :YES
  Vendor Name                    :HUAWEI
  Vendor Part Number             :02310QDJ
  Ordering Name                  :
-------------------------------------------------------------
Manufacture information:
  Manu. Serial Number            :EXAMPLE0001
  Manufacturing Date             :2020-01-01
  Vendor Name                    :HUAWEI
-------------------------------------------------------------
Diagnostic information:
  Temperature(°C)               :38.00
  Temp High Threshold(°C)       :75.00
  Temp Low  Threshold(°C)       :-5.00
  Voltage(V)                    :3.30
  Volt High Threshold(V)        :3.60
  Volt Low  Threshold(V)        :3.00
  Bias Current(mA)              :30.00
  Bias High Threshold(mA)       :80.00
  Bias Low  Threshold(mA)       :10.00
  RX Power(dBM)                 :-16.20
  RX Power High Warning(dBM)    :0.50
  RX Power Low  Warning(dBM)    :-14.40
  RX Power High Threshold(dBM)  :3.50
  RX Power Low  Threshold(dBM)  :-18.40
  TX Power(dBM)                 :-2.00
  TX Power High Warning(dBM)    :0.50
  TX Power Low  Warning(dBM)    :-8.20
  TX Power High Threshold(dBM)  :3.50
  TX Power Low  Threshold(dBM)  :-12.20
  Transceiver phony alarm       : No
-------------------------------------------------------------
"""

HUAWEI_CE_VERBOSE_40G = """\

 40GE1/0/1 transceiver information:
-------------------------------------------------------------------
 Common information:
   Transceiver Type                      :40GBASE_SR4
   Connector Type                        :MPO
   Wavelength (nm)                       :850
   Transfer Distance (m)                 :100(50um/125um OM3)
                                          150(50um/125um OM4)
   Digital Diagnostic Monitoring         :YES
   Vendor Name                           :EXAMPLE
   Vendor Part Number                    :EX-QSFP-SR4
   Ordering Name                         :
-------------------------------------------------------------------
 Manufacture information:
   Manu. Serial Number                   :EXAMPLE0002
   Manufacturing Date                    :2020-1-1
   Vendor Name                           :EXAMPLE
-------------------------------------------------------------------
 Alarm information:
    Non-Huawei-certified transceiver
-------------------------------------------------------------------
 Warning information:
-------------------------------------------------------------------
 Diagnostic information:
   Temperature (Celsius)                 :30.00
   Voltage (V)                           :3.30
   Bias Current (mA)                     :6.50|6.40    (Lane0|Lane1)
                                          6.30|6.20    (Lane2|Lane3)
   Bias High Threshold (mA)              :15.00
   Bias Low Threshold (mA)               :1.00
   Current RX Power (dBm)                :-1.10|-9.80  (Lane0|Lane1)
                                          -1.20|-1.30  (Lane2|Lane3)
   Default RX Power High Threshold (dBm) :4.00
   Default RX Power Low Threshold (dBm)  :-9.50
   Current TX Power (dBm)                :0.90|0.80    (Lane0|Lane1)
                                          0.70|0.60    (Lane2|Lane3)
   Default TX Power High Threshold (dBm) :4.00
   Default TX Power Low Threshold (dBm)  :-7.50
-------------------------------------------------------------------
"""


def transceivers(platform: str, command: str, text: str) -> list[dict]:
    doc = parse_capture(platform, command, text)
    assert doc["status"] == "parsed", doc
    return doc["health"]["transceivers"]


def test_h3c_diagnosis_block_with_alarm_thresholds():
    (t,) = transceivers("hp_comware", "display transceiver diagnosis interface", H3C_DIAGNOSIS)
    assert (t["interface"], t["rx_dbm"], t["tx_dbm"], t["celsius"]) == ("Ten-GigabitEthernet1/0/49", -12.4, -2.6, 41.0)
    assert (t["rx_low_alarm"], t["rx_high_alarm"], t["tx_low_alarm"], t["temp_high_alarm"]) == (-11.1, 0.5, -8.2, 80.0)
    assert t["status"] == "failed"  # -12.4 dBm is below the module's -11.1 dBm low alarm


def test_huawei_s_series_warning_and_alarm_thresholds():
    (t,) = transceivers("huawei_vrp", "display transceiver verbose", HUAWEI_S_VERBOSE)
    assert (t["interface"], t["rx_dbm"], t["rx_low_warning"], t["rx_low_alarm"], t["status"]) == (
        "XGigabitEthernet0/0/1", -16.2, -14.4, -18.4, "warning")


def test_huawei_ce_lanes_on_the_first_line_give_the_weakest():
    (t,) = transceivers("huawei_vrp", "display interface transceiver verbose", HUAWEI_CE_VERBOSE_40G)
    # Lane 1 (-9.8 dBm) is below the -9.5 dBm alarm although lane 0 reads -1.1 dBm.
    assert (t["interface"], t["rx_dbm"], t["tx_dbm"], t["rx_low_alarm"], t["status"]) == ("40GE1/0/1", -9.8, 0.8, -9.5, "failed")


JUNOS_VC = """\

Virtual Chassis ID: 0019.e250.47a0
Virtual Chassis Mode: Enabled
                                           Mstr           Mixed Neighbor List
Member ID  Status   Serial No    Model     prio  Role      Mode ID  Interface
0 (FPC 0)  Prsnt    EX0000000001 ex4200-48t 255  Master*      N  1  vcp-0
                                                                  1  vcp-1
1 (FPC 1)  Prsnt    EX0000000002 ex4200-24t 255  Backup       N  0  vcp-0
                                                                  0  vcp-1
2 (FPC 2)  NotPrsnt EX0000000003 ex4200-48t

Member ID for next new member: 3 (FPC 3)
"""


def test_junos_virtual_chassis_member_not_present():
    doc = parse_capture("juniper_junos", "show virtual-chassis", JUNOS_VC)
    assert doc["status"] == "parsed", doc
    members = [(m["name"], m["role"], m["priority"], m["status"]) for m in doc["health"]["stack_members"]]
    assert members == [("0", "Master*", 255, "ok"), ("1", "Backup", 255, "ok"), ("2", None, None, "absent")]
