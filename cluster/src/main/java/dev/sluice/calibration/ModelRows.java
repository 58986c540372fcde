package dev.sluice.calibration;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A calibration's per-model state: at most {@code maxModels} rows (model names come from clients), found
 * with one lock-free lookup, each created once, and listeners told of every new model.
 *
 * @param <R> one model's state
 */
final class ModelRows<R> {
  /** The key of requests that name no model. */
  static final String NO_MODEL = "";

  private final int maxModels;
  private final Supplier<R> factory;
  private final ConcurrentHashMap<String, R> rows = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  ModelRows(int maxModels, Supplier<R> factory) {
    this.maxModels = maxModels;
    this.factory = factory;
  }

  /** The row of {@code model}, or null when the model is not tracked. Lock-free. */
  R get(String model) {
    return rows.get(model == null ? NO_MODEL : model);
  }

  /** The row of {@code model}, created if needed; null when {@link #maxModels} are tracked already. */
  R getOrCreate(String model) {
    String key = model == null ? NO_MODEL : model;
    R row = rows.get(key);
    if (row != null) {
      return row;
    }
    if (rows.size() >= maxModels) {
      return null;
    }
    boolean[] created = new boolean[1];
    row = rows.computeIfAbsent(key, m -> {
      created[0] = true;
      return factory.get();
    });
    if (created[0]) {
      listeners.forEach(l -> l.accept(key));
    }
    return row;
  }

  /** Calls {@code listener} with each model's name the first time it is tracked, and with those tracked now. */
  void onNewModel(Consumer<String> listener) {
    listeners.add(listener);
    rows.keySet().forEach(listener);
  }

  /** The tracked models in name order. */
  List<String> models() {
    List<String> models = new ArrayList<>(rows.keySet());
    models.sort(Comparator.naturalOrder());
    return models;
  }

  void forEach(BiConsumer<String, R> action) {
    rows.forEach(action);
  }
}
