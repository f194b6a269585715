# ListConsumerGroups (KIP-518: group states, a states filter) through librdkafka 2.0.2 itself. Debian's
# python3-confluent-kafka (1.7.0) predates AdminClient.list_consumer_groups(), the wrapper of this very C call
# (rd_kafka_ListConsumerGroups), so the test calls it through ctypes on the library confluent-kafka loads.
# Usage: librdkafka_list_groups.py BOOTSTRAP [STATE...]  (states: Stable, Empty, ...). Prints one JSON object.
import ctypes
import json
import sys

STATES = ["Unknown", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Empty"]
ADMIN_OP_LISTCONSUMERGROUPS = 12  # rd_kafka_admin_op_t in librdkafka 2.0

lib = ctypes.CDLL("librdkafka.so.1")
P = ctypes.c_void_p
for name, res, args in [
    ("rd_kafka_conf_new", P, []),
    ("rd_kafka_conf_set", ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]),
    ("rd_kafka_new", P, [ctypes.c_int, P, ctypes.c_char_p, ctypes.c_size_t]),
    ("rd_kafka_queue_new", P, [P]),
    ("rd_kafka_AdminOptions_new", P, [P, ctypes.c_int]),
    ("rd_kafka_AdminOptions_set_match_consumer_group_states", P, [P, ctypes.POINTER(ctypes.c_int), ctypes.c_size_t]),
    ("rd_kafka_ListConsumerGroups", None, [P, P, P]),
    ("rd_kafka_queue_poll", P, [P, ctypes.c_int]),
    ("rd_kafka_event_error", ctypes.c_int, [P]),
    ("rd_kafka_event_error_string", ctypes.c_char_p, [P]),
    ("rd_kafka_event_ListConsumerGroups_result", P, [P]),
    ("rd_kafka_ListConsumerGroups_result_valid", ctypes.POINTER(P), [P, ctypes.POINTER(ctypes.c_size_t)]),
    ("rd_kafka_ListConsumerGroups_result_errors", ctypes.POINTER(P), [P, ctypes.POINTER(ctypes.c_size_t)]),
    ("rd_kafka_error_string", ctypes.c_char_p, [P]),
    ("rd_kafka_ConsumerGroupListing_group_id", ctypes.c_char_p, [P]),
    ("rd_kafka_ConsumerGroupListing_state", ctypes.c_int, [P]),
    ("rd_kafka_event_destroy", None, [P]),
    ("rd_kafka_queue_destroy", None, [P]),
    ("rd_kafka_AdminOptions_destroy", None, [P]),
    ("rd_kafka_destroy", None, [P]),
]:
    fn = getattr(lib, name)
    fn.restype, fn.argtypes = res, args

errstr = ctypes.create_string_buffer(512)
conf = lib.rd_kafka_conf_new()
lib.rd_kafka_conf_set(conf, b"bootstrap.servers", sys.argv[1].encode(), errstr, 512)
rk = lib.rd_kafka_new(0, conf, errstr, 512)  # RD_KAFKA_PRODUCER: an admin client needs no group
queue = lib.rd_kafka_queue_new(rk)
options = lib.rd_kafka_AdminOptions_new(rk, ADMIN_OP_LISTCONSUMERGROUPS)
wanted = [STATES.index(s) for s in sys.argv[2:]]
if wanted:
    arr = (ctypes.c_int * len(wanted))(*wanted)
    if lib.rd_kafka_AdminOptions_set_match_consumer_group_states(options, arr, len(wanted)):
        sys.exit("librdkafka refused the states filter")
lib.rd_kafka_ListConsumerGroups(rk, options, queue)
ev = lib.rd_kafka_queue_poll(queue, 20000)
if not ev:
    sys.exit("no ListConsumerGroups answer within 20 s")
if lib.rd_kafka_event_error(ev):
    sys.exit("ListConsumerGroups failed: %s" % lib.rd_kafka_event_error_string(ev).decode())
result = lib.rd_kafka_event_ListConsumerGroups_result(ev)
n = ctypes.c_size_t()
errors = lib.rd_kafka_ListConsumerGroups_result_errors(result, ctypes.byref(n))
if n.value:
    sys.exit("ListConsumerGroups: " + "; ".join(lib.rd_kafka_error_string(errors[i]).decode() for i in range(n.value)))
listings = lib.rd_kafka_ListConsumerGroups_result_valid(result, ctypes.byref(n))
groups = {
    lib.rd_kafka_ConsumerGroupListing_group_id(listings[i]).decode(): STATES[lib.rd_kafka_ConsumerGroupListing_state(listings[i])]
    for i in range(n.value)
}
print(json.dumps({"groups": groups}))
lib.rd_kafka_event_destroy(ev)
lib.rd_kafka_AdminOptions_destroy(options)
lib.rd_kafka_queue_destroy(queue)
lib.rd_kafka_destroy(rk)
