package dev.sluice.config;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/** The values of one section's members, as a factory sees them: set in the configuration, or defaults. */
public final class Values {
  private final Map<Member<?, ?>, Object> values = new IdentityHashMap<>();
  private final Set<Member<?, ?>> set = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Binder.Context context;

  Values(Binder.Context context) {
    this.context = context;
  }

  void put(Member<?, ?> member, Object value, boolean wasSet) {
    values.put(member, value);
    if (wasSet) {
      set.add(member);
    }
  }

  /** The member's value: what the configuration says, else its default (null for an optional key). */
  @SuppressWarnings("unchecked")
  public <T> T get(Member<?, T> member) {
    if (!values.containsKey(member)) {
      throw new IllegalStateException(member.name() + " is not a member of this section");
    }
    return (T) values.get(member);
  }

  /** Whether the file, the environment or a flag set it (a default does not count). */
  public boolean isSet(Member<?, ?> member) {
    return set.contains(member);
  }

  /**
   * An environment variable a key names (a secret kept out of the file), from the same environment the
   * {@code SLUICE_*} overrides come from; null when it is not set.
   */
  public String environment(String variable) {
    return context.environment(variable);
  }
}
