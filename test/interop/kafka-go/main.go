// kafka-go 0.2.1 (Debian's golang-github-segmentio-kafka-go-dev), which speaks Produce v2 and Fetch v2 (message
// format v1) and nothing newer, against a broker: writes N messages with keys and timestamps to partition 0 of
// a topic in one produce request (compressed with the codec named, or plain), then reads the partition from
// offset 0 and prints one JSON line per message read.
//
// Usage: kafka-go-roundtrip HOST:PORT TOPIC N none|gzip|snappy|lz4
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	kafka "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/gzip"
	"github.com/segmentio/kafka-go/lz4"
	"github.com/segmentio/kafka-go/snappy"
)

type line struct {
	Offset int64  `json:"offset"`
	Key    string `json:"key"`
	Value  string `json:"value"`
	Time   int64  `json:"ts"`
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "kafka-go-roundtrip: %s: %v\n", what, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: kafka-go-roundtrip HOST:PORT TOPIC N none|gzip|snappy|lz4")
		os.Exit(2)
	}
	address, topic, codecName := os.Args[1], os.Args[2], os.Args[4]
	n, err := strconv.Atoi(os.Args[3])
	if err != nil {
		fail("N", err)
	}
	var codec kafka.CompressionCodec
	switch codecName {
	case "gzip":
		codec = gzip.NewCompressionCodec()
	case "snappy":
		codec = snappy.NewCompressionCodec()
	case "lz4":
		codec = lz4.NewCompressionCodec()
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := kafka.DialLeader(ctx, "tcp", address, topic, 0)
	if err != nil {
		fail("dial", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))

	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{
			Key:   []byte(fmt.Sprintf("k%d", i%3)),
			Value: []byte(fmt.Sprintf("value %d from kafka-go", i)),
			Time:  time.Unix(1700000000+int64(i), 0),
		}
	}
	if _, err := conn.WriteCompressedMessages(codec, msgs...); err != nil {
		fail("produce", err)
	}

	if _, err := conn.Seek(0, kafka.SeekAbsolute); err != nil {
		fail("seek", err)
	}
	batch := conn.ReadBatch(1, 10<<20)
	out := json.NewEncoder(os.Stdout)
	for read := 0; read < n; read++ {
		m, err := batch.ReadMessage()
		if err != nil {
			fail(fmt.Sprintf("fetch (after %d messages)", read), err)
		}
		out.Encode(line{Offset: m.Offset, Key: string(m.Key), Value: string(m.Value), Time: m.Time.UnixMilli()})
	}
	batch.Close()
}
