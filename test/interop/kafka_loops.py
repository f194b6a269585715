"""The loops the confluent-kafka-python interop scripts share: delivery reports, and polling a consumer for a
number of records (a record the deserializer refuses, or an error, is noted and polling goes on)."""


def delivery_log():
    """An on_delivery callback and the offsets delivered and errors it collects."""
    delivered, errors = [], []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            delivered.append(msg.offset())

    return on_delivery, delivered, errors


def poll_messages(consumer, count, empty_limit=40):
    """Up to `count` messages, stopping after `empty_limit` empty polls of 0.5 s; and the errors met."""
    received, errors, empty = [], [], 0
    while len(received) < count and empty < empty_limit:
        try:
            msg = consumer.poll(0.5)
        except Exception as e:  # a record the deserializer refuses
            errors.append(str(e))
            continue
        if msg is None:
            empty += 1
            continue
        if msg.error():
            errors.append(str(msg.error()))
            continue
        received.append(msg)
    consumer.close()
    return received, errors
