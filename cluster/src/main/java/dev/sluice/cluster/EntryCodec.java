package dev.sluice.cluster;

import dev.sluice.calibration.ByteClass;
import dev.sluice.calibration.CalibrationKey;
import dev.sluice.calibration.CalibrationState;
import dev.sluice.calibration.ClassStats;
import dev.sluice.calibration.KeyStats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * JSON form of a {@link NodeEntry}. The cluster map stores plain strings, so Hazelcast needs no Sluice
 * class (no custom serializer) and nodes of different builds can read each other. One calibration key is
 * one compact row: {@code [model, category, samples, weight, bytesPerToken, interceptTokens, spread]}
 * under {@code own}. Each model's byte-class regression is one row
 * {@code [model, samples, weight, devSum, devWeight, moments...]} under
 * {@code classes: {layout: [class ids], rows: [...]}}; a reader whose class list differs from the
 * layout ignores those rows (and readers from before the regression ignore the member).
 */
public final class EntryCodec {

  /** Bumped when the layout changes in a way old readers would misread. */
  public static final int VERSION = 1;

  private EntryCodec() {
  }

  public static String encode(NodeEntry e) {
    JsonObject carried = new JsonObject();
    e.carried().forEach((id, c) -> carried.put(id, put(new JsonObject().put("at", c.at()), c.stats())));
    JsonObject inflight = new JsonObject();
    e.inflight().forEach(inflight::put);
    return put(new JsonObject()
        .put("v", VERSION)
        .put("node", e.nodeId())
        .put("at", e.at()), e.own())
        .put("carried", carried)
        .put("inflight", inflight)
        .put("supersedes", new JsonArray(e.supersedes().stream().map(Object.class::cast).toList()))
        .encode();
  }

  /** Decodes an entry; a malformed or newer-version value throws {@link IllegalArgumentException}. */
  public static NodeEntry decode(String json) {
    try {
      JsonObject o = new JsonObject(json);
      int v = o.getInteger("v", 0);
      if (v != VERSION) {
        throw new IllegalArgumentException("unsupported entry version " + v);
      }
      Map<String, NodeEntry.Carried> carried = new HashMap<>();
      JsonObject c = o.getJsonObject("carried", new JsonObject());
      for (String id : c.fieldNames()) {
        JsonObject one = c.getJsonObject(id);
        carried.put(id, new NodeEntry.Carried(one.getLong("at"), state(one)));
      }
      Map<String, Integer> inflight = new HashMap<>();
      JsonObject in = o.getJsonObject("inflight", new JsonObject());
      for (String pool : in.fieldNames()) {
        inflight.put(pool, in.getInteger(pool));
      }
      Set<String> supersedes = new HashSet<>();
      o.getJsonArray("supersedes", new JsonArray()).forEach(x -> supersedes.add(String.valueOf(x)));
      return new NodeEntry(o.getString("node"), o.getLong("at"), state(o), carried,
          inflight, supersedes);
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException("malformed calibration entry: " + e.getMessage(), e);
    }
  }

  /** Puts a state's two parts into {@code o}: {@code own} (ratio rows) and {@code classes}; returns {@code o}. */
  public static JsonObject put(JsonObject o, CalibrationState state) {
    return o.put("own", rows(state.ratios())).put("classes", classes(state.classes()));
  }

  /** The state held by an object written with {@link #put}; a missing part is empty. */
  public static CalibrationState state(JsonObject o) {
    return new CalibrationState(parseRows(o.getJsonArray("own")), parseClasses(o.getJsonObject("classes")));
  }

  /** The rows form of the byte-class regressions, with the class layout they follow. */
  public static JsonObject classes(Map<String, ClassStats> stats) {
    JsonArray rows = new JsonArray();
    stats.forEach((model, s) -> {
      if (s.publishable()) {
        JsonArray row = new JsonArray().add(model).add(s.samples()).add(s.weight()).add(s.devSum()).add(s.devWeight());
        for (double m : s.moments()) {
          row.add(m);
        }
        rows.add(row);
      }
    });
    return new JsonObject().put("layout", new JsonArray(ByteClass.layout().stream().map(Object.class::cast).toList()))
        .put("rows", rows);
  }

  /** The byte-class regressions of {@link #classes}; empty when absent or laid out for other classes. */
  public static Map<String, ClassStats> parseClasses(JsonObject o) {
    Map<String, ClassStats> out = new HashMap<>();
    if (o == null || !ByteClass.layout().equals(o.getJsonArray("layout", new JsonArray()).getList())) {
      return out;
    }
    JsonArray rows = o.getJsonArray("rows", new JsonArray());
    for (int i = 0; i < rows.size(); i++) {
      JsonArray r = rows.getJsonArray(i);
      double[] moments = new double[ClassStats.length()];
      if (r.size() != 5 + moments.length) {
        throw new IllegalArgumentException("class row of " + r.size() + " values, expected " + (5 + moments.length));
      }
      for (int k = 0; k < moments.length; k++) {
        moments[k] = r.getDouble(5 + k);
      }
      out.put(r.getString(0), new ClassStats(r.getLong(1), r.getDouble(2), moments, r.getDouble(3), r.getDouble(4)));
    }
    return out;
  }

  /** The rows form of a calibration table, shared with the state file. */
  public static JsonArray rows(Map<CalibrationKey, KeyStats> stats) {
    JsonArray rows = new JsonArray();
    stats.forEach((k, s) -> {
      if (publishable(s)) {
        rows.add(new JsonArray()
        .add(k.model()).add(k.category())
        .add(s.samples()).add(s.weight()).add(s.bytesPerToken()).add(s.interceptTokens()).add(s.spread()));
      }
    });
    return rows;
  }

  /** JSON has no NaN or infinity, and a weightless row carries nothing. */
  private static boolean publishable(KeyStats s) {
    return s.weight() > 0 && Double.isFinite(s.weight()) && Double.isFinite(s.bytesPerToken())
        && Double.isFinite(s.interceptTokens()) && Double.isFinite(s.spread());
  }

  public static Map<CalibrationKey, KeyStats> parseRows(JsonArray rows) {
    Map<CalibrationKey, KeyStats> out = new HashMap<>();
    if (rows == null) {
      return out;
    }
    for (int i = 0; i < rows.size(); i++) {
      JsonArray r = rows.getJsonArray(i);
      out.put(new CalibrationKey(r.getString(0), r.getString(1)),
          new KeyStats(r.getLong(2), r.getDouble(3), r.getDouble(4), r.getDouble(5), r.getDouble(6)));
    }
    return out;
  }
}
