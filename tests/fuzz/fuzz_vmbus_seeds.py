#!/usr/bin/env python3
"""Writes the seed corpora of the vmbus fuzz targets (tests/fuzz/corpus/vmbus_*).

The byte images are laid out here independently of vmbus/, from the
struct layouts of Linux's include/linux/hyperv.h and the IC formats in
docs/bus.md, so the seeds are real encodings rather than our own output.
Run it from anywhere; it rewrites the four corpus directories.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def guid(text):
    """Text GUID to the 16 mixed-endian wire bytes."""
    a, b, c, d, e = text.split("-")
    return struct.pack("<IHH", int(a, 16), int(b, 16), int(c, 16)) + bytes.fromhex(d + e)


HEARTBEAT = guid("57164f39-9115-4e78-ab55-382f3bd5422d")
KVP = guid("a9a0f4e7-5a45-4d96-b827-8a841e8c03e6")


def ver(major, minor):
    return major << 16 | minor


def hdr(msgtype):
    return struct.pack("<II", msgtype, 0)


# ---- channel messages (payload of a SynIC message) ----

def initiate_contact(version, sint_or_page, vcpu=0, mon1=0x121000, mon2=0x122000):
    return hdr(14) + struct.pack("<IIQQQ", version, vcpu, sint_or_page, mon1, mon2)


def version_response(ok, conn_id=4):
    return hdr(15) + struct.pack("<BBHI", ok, 0, 0, conn_id)


def offer(if_type, relid, conn_id):
    body = if_type + if_type + struct.pack("<QQHH", 0, 0, 1, 0) + bytes(120)
    body += struct.pack("<HHIBBHI", 0, 0, relid, 0, 0, 0, conn_id)
    return hdr(1) + body


def gpadl_msgs(relid, handle, pfns):
    """GPADL_HEADER and GPADL_BODY messages as Linux's create_gpadl_header builds them."""
    first = pfns[:26]
    msgs = [hdr(8) + struct.pack("<IIHH", relid, handle, 8 * (1 + len(pfns)), 1) +
            struct.pack("<II", len(pfns) * 4096, 0) + struct.pack("<%dQ" % len(first), *first)]
    rest = pfns[26:]
    while rest:
        chunk, rest = rest[:28], rest[28:]
        msgs.append(hdr(9) + struct.pack("<II", 0, handle) + struct.pack("<%dQ" % len(chunk), *chunk))
    return msgs


def open_channel(relid, gpadl, offset, vp=0):
    return hdr(5) + struct.pack("<IIIII", relid, relid, gpadl, vp, offset) + bytes(120)


def relid_msg(msgtype, relid):
    return hdr(msgtype) + struct.pack("<I", relid)


def records(items):
    """[tag][len][bytes] records; items are (tag, bytes)."""
    out = b""
    for tag, data in items:
        out += bytes([tag, len(data)]) + data
    return out


def msgs(*payloads):
    return [(0, p) for p in payloads]


def action(what, arg=b""):
    return (1 | what << 1, arg)


# ---- IC messages ----

def ic(msgtype, body, fw=(3, 0), msgver=(3, 0), flags=3, status=0, trans=0):
    icmsg = struct.pack("<HHHHHHIBBH", fw[0], fw[1], msgtype, msgver[0], msgver[1], len(body),
                        status, trans, flags, 0)
    return struct.pack("<II", 1, len(icmsg) + len(body)) + icmsg + body


def negotiate(fws, srvs, flags=3):
    body = struct.pack("<HHI", len(fws), len(srvs), 0)
    for v in fws + srvs:
        body += struct.pack("<HH", *v)
    return ic(0, body, fw=(1, 0), msgver=(1, 0), flags=flags)


def utf16(s):
    return (s + "\0").encode("utf-16-le")


def kvp(op, pool, key="", value="", index=0):
    k, v = utf16(key) if key else b"", utf16(value) if value else b""
    data = struct.pack("<III", 1, len(k), len(v)) + k.ljust(512, b"\0") + v.ljust(2048, b"\0")
    if op == 2:
        body = struct.pack("<I", len(k)) + k.ljust(512, b"\0")
    elif op == 3:
        body = struct.pack("<I", index) + data
    else:
        body = data
    return ic(2, struct.pack("<BBH", op, pool, 0) + body, msgver=(4, 0))


def ring(data_size, write, read, packets, mask=0, pending=0, features=1, at=0, producer_len=40):
    """A ring as its producer leaves it: packets written from offset `at`."""
    data = bytearray(data_size)
    off = at
    for p in packets:
        desc = struct.pack("<HHHHQ", 6, 2, (16 + len(p) + 7) // 8, 1, 0x10)
        blob = desc + p + bytes((-len(p)) % 8) + struct.pack("<Q", off << 32)
        for i, b in enumerate(blob):
            data[(off + i) % data_size] = b
        off = (off + len(blob)) % data_size
    if write is None:
        write = off
    fields = struct.pack("<IIIII", write, read, mask, pending, features) + bytes([producer_len])
    return fields + bytes(data)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def server_seeds():
    contact = initiate_contact(ver(5, 3), 2)
    req = hdr(3)
    pfns8 = list(range(0x80000, 0x80008))
    session = msgs(contact, req, *gpadl_msgs(1, 0xE1E10, pfns8), open_channel(1, 0xE1E10, 4))
    session += [action(0, b"\x01\x00")]
    session += msgs(hdr(22) + struct.pack("<II", 1, 1), relid_msg(7, 1),
                    hdr(11) + struct.pack("<II", 1, 0xE1E10), hdr(16))
    write("vmbus_server", "contact_5_3", records(msgs(contact, req)))
    write("vmbus_server", "open_close_unload", records(session))
    write("vmbus_server", "gpadl_40_pages",
          records(msgs(contact, req, *gpadl_msgs(2, 0xE1E11, list(range(0x90000, 0x90028))))))
    write("vmbus_server", "gpadl_512_pages",
          records(msgs(contact, req, *gpadl_msgs(1, 0xE1E12, list(range(0xA0000, 0xA0200))))))
    write("vmbus_server", "version_fallback",
          records(msgs(initiate_contact(ver(1, 1), 0x5000), initiate_contact(ver(4, 0), 0x5000), req)))
    write("vmbus_server", "rescind_release",
          records(msgs(contact, req) + [action(1, b"\x02")] + msgs(relid_msg(13, 2))))


def client_seeds():
    boot = msgs(version_response(1), offer(HEARTBEAT, 1, 0x100), offer(KVP, 2, 0x101), hdr(4))
    created = hdr(10) + struct.pack("<III", 1, 0xE1E10, 0)
    opened = hdr(6) + struct.pack("<III", 1, 1, 0)
    flow = boot + [action(1, b"\x01\x00\x08")] + msgs(created)
    flow += [action(2, b"\x01\x00" + struct.pack("<I", 4))] + msgs(opened)
    flow += msgs(relid_msg(2, 1)) + [action(3, b"\x01"), action(4, b"\x01\x00")]
    flow += msgs(hdr(12) + struct.pack("<I", 0xE1E10)) + [action(5, b"\x01"), action(7)]
    flow += msgs(hdr(17))
    write("vmbus_client", "offers", records(boot))
    write("vmbus_client", "gpadl_open_rescind_unload", records(flow))
    write("vmbus_client", "version_refused",
          records(msgs(version_response(0), version_response(0), version_response(1, 9))))
    modify = boot + [action(1, b"\x01\x00\x08")] + msgs(created)
    modify += [action(2, b"\x01\x00" + struct.pack("<I", 4))] + msgs(opened)
    modify += [action(6, b"\x01\x00\x01\x00\x00\x00")] + msgs(hdr(24) + struct.pack("<II", 1, 0))
    write("vmbus_client", "modify", records(modify))


def ring_seeds():
    neg = negotiate([(1, 0), (3, 0)], [(1, 0), (3, 0)])
    hb = ic(1, struct.pack("<Q", 7) + bytes(32))
    write("vmbus_ring", "three_packets", ring(512, None, 0, [neg, hb, neg]))
    write("vmbus_ring", "wrapped", ring(256, None, 232, [hb, hb], at=232))
    write("vmbus_ring", "empty", ring(256, 0, 0, []))
    write("vmbus_ring", "masked_pending", ring(256, None, 0, [hb], mask=1, pending=200))


def ic_seeds():
    write("vmbus_ic", "negotiate_heartbeat", negotiate([(1, 0), (3, 0)], [(1, 0), (3, 0)]))
    write("vmbus_ic", "negotiate_timesync", negotiate([(1, 0), (3, 0)], [(1, 0), (3, 0), (4, 0)]))
    write("vmbus_ic", "negotiate_answer",
          negotiate([(3, 0)], [(3, 0)], flags=5))
    write("vmbus_ic", "heartbeat", ic(1, struct.pack("<Q", 41) + bytes(32)))
    write("vmbus_ic", "shutdown", ic(3, struct.pack("<III", 0, 30, 1) + b"host".ljust(2048, b"\0")))
    write("vmbus_ic", "timesync_v4",
          ic(4, struct.pack("<QQBBB3x", 133000000000000000, 12345, 1, 0, 2), msgver=(4, 0)))
    write("vmbus_ic", "timesync_v3",
          ic(4, struct.pack("<QQQB", 133000000000000000, 0, 0, 2), msgver=(3, 0)))
    write("vmbus_ic", "kvp_set", kvp(1, 0, "Param", "Value"))
    write("vmbus_ic", "kvp_get", kvp(0, 0, "Param"))
    write("vmbus_ic", "kvp_delete", kvp(2, 0, "Param"))
    write("vmbus_ic", "kvp_enumerate", kvp(3, 2, index=5))
    write("vmbus_ic", "sessions_list", ic(0x8001, struct.pack("<HHI", 2, 0, 0), msgver=(1, 0)))
    user = struct.pack("<IHH", 1, 1, 5) + b"alice".ljust(64, b"\0")
    write("vmbus_ic", "sessions_answer",
          ic(0x8001, struct.pack("<HHI", 2, 1, 1) + user, msgver=(1, 0), flags=5))
    write("vmbus_ic", "exec_request",
          ic(0x8002, struct.pack("<IIHHI", 5000, 256, 8, 0, 0) + b"uname -a", msgver=(1, 0)))
    write("vmbus_ic", "exec_answer",
          ic(0x8002, struct.pack("<iIII", 0, 0, 7, 0) + b"testos\n", msgver=(1, 0), flags=5))


if __name__ == "__main__":
    server_seeds()
    client_seeds()
    ring_seeds()
    ic_seeds()
