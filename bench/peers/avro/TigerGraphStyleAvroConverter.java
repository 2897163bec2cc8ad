// The seed's design for the mirror benchmark's Avro → JSON peer: a Kafka Connect value converter doing what
// TigerGraph's com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter (and ...WithoutSchemaRegistry) does,
// plugged into MirrorMaker 2 (dedicated mode). MirrorMaker hands the source value over as bytes; fromConnectData
//   - decodes Confluent-framed Avro (magic 0, 4-byte schema id) with the writer schema from the registry
//     (`value.converter.schema.registry.url`, the Confluent API; Apicurio's ccompat), fetched once per id by plain HTTP,
//   - or single-object encoding (C3 01 + fingerprint) / a bare datum with `value.converter.schema` (inline JSON or a
//     file), the schema "embedded" in the connector's configuration,
// with Apache Avro's GenericDatumReader, and writes Apache Avro's own JSON rendering of the generic datum
// (GenericData.toString). No logical-type conversions: decimals print as their bytes, timestamps and dates as numbers.
//
// `main` is the independent decoder of the content checks: it reads hex-encoded values (one per line) on stdin
// and prints one JSON line per value, with the same code.
//
// Built by bench/mirror-load.sh with javac against Apache Avro 1.12 (+ the Jackson jars it needs) and the
// MirrorMaker jars, all from Maven Central (cached under ~/.cache/dsc/).
package dsc.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

public class TigerGraphStyleAvroConverter implements Converter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private String registryUrl;
  private GenericDatumReader<Object> configured;
  /** Readers by registry schema id: a converter belongs to one task (one thread). */
  private final Map<Integer, GenericDatumReader<Object>> byId = new HashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private BinaryDecoder decoder;

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    Object url = configs.get("schema.registry.url");
    registryUrl = url == null ? null : url.toString().replaceAll("/+$", "");
    Object schema = configs.get("schema");
    if (schema != null) configured = readerOf(schemaText(schema.toString()));
  }

  private static String schemaText(String ref) {
    String t = ref.trim();
    if (t.startsWith("{") || t.startsWith("[") || t.startsWith("\"")) return t;
    try {
      return Files.readString(Path.of(t.replaceFirst("^file://", "")));
    } catch (Exception e) {
      throw new DataException("cannot read value.converter.schema " + t, e);
    }
  }

  private static GenericDatumReader<Object> readerOf(String schemaJson) {
    // GenericData without conversions: Avro's generic datum as it is (logical types as their underlying type).
    Schema schema = new Schema.Parser().parse(schemaJson);
    return new GenericDatumReader<>(schema, schema, new GenericData());
  }

  private GenericDatumReader<Object> registryReader(int id) {
    GenericDatumReader<Object> reader = byId.get(id);
    if (reader != null) return reader;
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(registryUrl + "/schemas/ids/" + id)).GET().build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200)
        throw new DataException("schema id " + id + ": HTTP " + response.statusCode() + " " + response.body());
      JsonNode body = JSON.readTree(response.body());
      reader = readerOf(body.get("schema").asText());
    } catch (DataException e) {
      throw e;
    } catch (Exception e) {
      throw new DataException("schema id " + id + ": " + e, e);
    }
    byId.put(id, reader);
    return reader;
  }

  /** The JSON text of one Avro value, as TigerGraph's converter makes it. */
  public String json(byte[] v) {
    GenericDatumReader<Object> reader;
    int from;
    if (registryUrl != null) {
      if (v.length < 5 || v[0] != 0) throw new DataException("not in the Confluent Avro wire format");
      int id = ((v[1] & 0xff) << 24) | ((v[2] & 0xff) << 16) | ((v[3] & 0xff) << 8) | (v[4] & 0xff);
      reader = registryReader(id);
      from = 5;
    } else {
      if (configured == null) throw new DataException("no value.converter.schema");
      reader = configured;
      from = v.length >= 10 && (v[0] & 0xff) == 0xc3 && v[1] == 0x01 ? 10 : 0;
    }
    try {
      decoder = DecoderFactory.get().binaryDecoder(v, from, v.length - from, decoder);
      Object datum = reader.read(null, decoder);
      if (!decoder.isEnd()) throw new DataException("bytes left after the Avro datum");
      return GenericData.get().toString(datum);
    } catch (DataException e) {
      throw e;
    } catch (Exception e) {
      throw new DataException("cannot decode Avro: " + e, e);
    }
  }

  @Override
  public byte[] fromConnectData(String topic, org.apache.kafka.connect.data.Schema schema, Object value) {
    if (value == null) return null;
    return json((byte[]) value).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public SchemaAndValue toConnectData(String topic, byte[] value) {
    return new SchemaAndValue(org.apache.kafka.connect.data.Schema.OPTIONAL_BYTES_SCHEMA, value);
  }

  /** java ... TigerGraphStyleAvroConverter (registry URL | schema file): hex values on stdin → JSON lines. */
  public static void main(String[] args) throws Exception {
    TigerGraphStyleAvroConverter c = new TigerGraphStyleAvroConverter();
    Map<String, String> config = new HashMap<>();
    config.put(args[0].startsWith("http") ? "schema.registry.url" : "schema", args[0]);
    c.configure(config, false);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    HexFormat hex = HexFormat.of();
    for (String line; (line = in.readLine()) != null; ) {
      try {
        out.println(c.json(hex.parseHex(line.trim())));
      } catch (DataException e) {
        out.println("ERROR " + e.getMessage().replace('\n', ' '));
      }
    }
    out.flush();
  }
}
