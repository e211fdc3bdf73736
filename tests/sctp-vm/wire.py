"""The wire as tshark sees it, for the VM tests: a capture taken inside the VM
(dumpcap on lo) is decoded on the host after the VM run (tshark under TCG is
~15x slower). Every SCTP DATA chunk becomes one Chunk with its association
ports, TSN and payload: M3UA (PPID 3) or M2PA (PPID 5), and the ISUP message
(CIC, type) it carries, if any. An SCTP retransmission repeats a TSN: unique()
keeps one chunk per (ports, TSN), so what is counted is what was delivered."""
import collections
import json
import re
import subprocess

# ITU-T Q.763 Table 4: message type codes, as the daemons name them in their logs.
ISUP_ACRONYM = {
    0x01: "IAM", 0x02: "SAM", 0x03: "INR", 0x04: "INF", 0x05: "COT", 0x06: "ACM", 0x07: "CON", 0x08: "FOT",
    0x09: "ANM", 0x0C: "REL", 0x0D: "SUS", 0x0E: "RES", 0x10: "RLC", 0x11: "CCR", 0x12: "RSC", 0x13: "BLO",
    0x14: "UBL", 0x15: "BLA", 0x16: "UBA", 0x17: "GRS", 0x18: "CGB", 0x19: "CGU", 0x1A: "CGBA", 0x1B: "CGUA",
    0x24: "LPA", 0x28: "PAM", 0x29: "GRA", 0x2A: "CQM", 0x2B: "CQR", 0x2C: "CPG", 0x2D: "USR", 0x2E: "UCIC",
    0x2F: "CFN", 0x33: "FAC", 0x38: "SGM", 0x40: "LPR", 0x41: "APT",
}

Chunk = collections.namedtuple("Chunk", "sport dport tsn ppid m3ua_class m3ua_type m2pa_class m2pa_type si cic isup")


def _list(v):
    return v if isinstance(v, list) else ([] if v is None else [v])


def _find(tree, key):
    """First value of `key` anywhere in a tshark JSON subtree."""
    if isinstance(tree, dict):
        if key in tree:
            return tree[key]
        for v in tree.values():
            r = _find(v, key)
            if r is not None:
                return r
    elif isinstance(tree, list):
        for v in tree:
            r = _find(v, key)
            if r is not None:
                return r
    return None


def _int(v):
    return int(v, 0) if isinstance(v, str) else v


def chunks(pcap):
    """Every SCTP DATA chunk in `pcap`, in capture order."""
    # tsn_analysis off: a retransmitted chunk is decoded like the first (with it on, tshark leaves its payload
    # undecoded and the chunks below would take the next chunk's payload); unique() drops the repeat.
    r = subprocess.run(["tshark", "-n", "-o", "sctp.tsn_analysis:FALSE", "-r", pcap, "-d", "sctp.ppi==3,m3ua", "-d", "sctp.ppi==5,m2pa", "-T", "json",
                        "--no-duplicate-keys", "-J", "sctp m3ua m2pa mtp3 isup"], capture_output=True, text=True,
                       timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"tshark failed: {r.stderr[-500:]}")
    out = []
    for packet in json.loads(r.stdout or "[]"):
        layers = packet["_source"]["layers"]
        # A packet with several DATA chunks comes as several "sctp" entries (the ports in the first only),
        # each chunk's payload as the next "m3ua"/"m2pa" entry, in order.
        sctps = _list(layers.get("sctp"))
        if not sctps:
            continue
        sport, dport = _int(sctps[0].get("sctp.srcport")), _int(sctps[0].get("sctp.dstport"))
        m3ua, m2pa = _list(layers.get("m3ua")), _list(layers.get("m2pa"))
        mtp3, isup = _list(layers.get("mtp3")), _list(layers.get("isup"))
        data = [c for sctp in sctps for k, v in sctp.items() if k.startswith("DATA chunk") for c in _list(v)]
        for c in data:
            ppid = _int(c.get("sctp.data_payload_proto_id"))
            tsn = _int(c.get("sctp.data_tsn_raw", c.get("sctp.data_tsn")))
            row = dict(m3ua_class=None, m3ua_type=None, m2pa_class=None, m2pa_type=None, si=None, cic=None, isup=None)
            if ppid == 3 and m3ua:
                m = m3ua.pop(0)
                row.update(m3ua_class=_int(m.get("m3ua.message_class")), m3ua_type=_int(m.get("m3ua.message_type")))
                if (row["m3ua_class"], row["m3ua_type"]) == (1, 1):
                    row["si"] = _int(_find(m, "m3ua.protocol_data_si"))
            elif ppid == 5 and m2pa:
                m = m2pa.pop(0)
                row.update(m2pa_class=_int(m.get("m2pa.class")), m2pa_type=_int(m.get("m2pa.type")))
                # User Data of 16 octets is a bare acknowledgement (RFC 4165 3.3.1: no MSU): no MTP3 of its own.
                if (row["m2pa_class"], row["m2pa_type"]) == (11, 1) and mtp3 and _int(m.get("m2pa.length", 17)) > 16:
                    row["si"] = _int(_find(mtp3.pop(0), "mtp3.service_indicator"))
            if row["si"] == 5 and isup:
                i = isup.pop(0)
                row.update(cic=_int(i.get("isup.cic")),
                           isup=ISUP_ACRONYM.get(_int(i.get("isup.message_type")), str(i.get("isup.message_type"))))
            out.append(Chunk(sport, dport, tsn, ppid, **row))
    return out


def unique(cs):
    """One chunk per (association direction, TSN): SCTP retransmissions removed."""
    seen, out = set(), []
    for c in cs:
        key = (c.sport, c.dport, c.tsn)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def isup_between(cs, sport=None, dport=None):
    """Multiset of (CIC, message) of the ISUP messages delivered from port `sport` / to `dport`."""
    return collections.Counter((c.cic, c.isup) for c in unique(cs)
                               if c.isup and (sport is None or c.sport == sport) and (dport is None or c.dport == dport))


def after_aspac_ack(cs, asp_port):
    """The chunks captured after the first ASPAC_ACK (M3UA class 4 type 3) sent to the ASP at `asp_port`."""
    for i, c in enumerate(cs):
        if c.dport == asp_port and (c.m3ua_class, c.m3ua_type) == (4, 3):
            return cs[i + 1:]
    return []


def log_isup(lines, direction):
    """Multiset of (CIC, message) from a daemon's 'isup tx|rx group=... cic=N msg=X' lines."""
    out = collections.Counter()
    for line in lines:
        m = re.search(r"isup %s group=\S+ cic=(\d+) msg=(\w+)" % direction, line)
        if m:
            out[(int(m.group(1)), m.group(2))] += 1
    return out


def diff(a, b, n=8):
    """What a has more than b and b more than a, shortened, for a failure message."""
    return {"only_first": dict(list((a - b).items())[:n]), "only_second": dict(list((b - a).items())[:n])}
