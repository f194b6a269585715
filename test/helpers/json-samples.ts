// JSON payloads for the tests of the canonical-JSON scanners and of tail's fast NDJSON path: what
// JSON.stringify writes, what it never writes, and JSON as other libraries write it.

export const canonical = [
  '{}',
  '[]',
  '{"a":1}',
  '{"id":0,"order":"order-0","status":"CONFIRMED","total":0,"pad":"xxxx"}',
  '[1,-2,3.5,-0.25,0.000001,123456789012345,true,false,null,"s"]',
  '{"nested":{"deep":[{"x":[[]]}]},"e":""}',
  '{"esc":"quote \\" backslash \\\\ nl \\n tab \\t cr \\r bs \\b ff \\f ctl \\u0001 \\u001f"}',
  '{"ünï":"cödé ключ 😀","\u2028":"x"}',
  '{"__proto__":1}',
  '{"a1":1,"1a":2}',
];
export const notCanonical = [
  '{ "a":1}',
  '{"a": 1}',
  '{"a":1} ',
  '{"a":1.0}',
  '{"a":1e3}',
  '{"a":1E3}',
  '{"a":-0}',
  '{"a":0.0000001}',
  '{"a":1234567890123456789}',
  '{"a":0.1000000000000000055511151231257827}',
  '{"a":"\\/"}',
  '{"a":"\\u0041"}',
  '{"a":"\\u000a"}',
  '{"a":"\\u001F"}',
  '{"a":1,"a":2}',
  '{"1":1,"b":2}',
  '{"b":1,"0":2}',
  '[01]',
  '{"a":tru}',
  '{"a":1',
  '["a\u0001"]',
  '{"a":1}{"b":2}',
];

// JSON as other writers write it (never canonical, shown as text by auto): Python's json.dumps (spaces, \u
// escapes of non-ASCII), its indent=2, Java's Jackson doubles (25.0, 1.0E10), an escaped slash (PHP)
export const foreign = [
  '{"orderId": "o-1", "customer": {"name": "Zo\\u00eb M\\u00fcller"}, "lines": [{"sku": "s-1", "qty": 2, "price": 25.5}], "ok": true, "n": null}',
  '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {\n    "c": "d"\n  }\n}',
  '{"price":25.0,"qty":1}',
  '{"big":1.0E10}',
  '{"amount":12.50}',
  '{"url":"http:\\/\\/x"}',
  '{"a":[1,\t2]}',
  '{"s":"\\u00e9t\\u00e9"}',
];
// what a scan must not call foreign: canonical JSON with look-alikes inside strings, or numbers that are fine
export const lookAlikes = [
  '{"s":"a b\\n 25.0 1E3"}',
  '{"n":100,"m":0.5,"z":0}',
  '[10,20.5,0]',
  '{"u":"\\u0001\\ud83d"}',
];
