package dev.sluice.config;

/**
 * A value that breaks a rule, named by its member but not yet by its full path: thrown by a type while it
 * reads a value, or by a section's factory (a record's constructor), and turned by the binding into a
 * {@link ConfigException} that names the full key, e.g. {@code reliability.security.keys[0].sha256 must be
 * 64 hex digits}.
 */
public final class Invalid extends IllegalArgumentException {
  private final transient Member<?, ?> member;
  private final String problem;

  /**
   * @param member  the member whose value is wrong; null when the thrower does not know it (a type)
   * @param problem what is wrong, e.g. {@code must be > 0}, or {@code [2] must be a URL string} for an element
   */
  public Invalid(Member<?, ?> member, String problem) {
    super(member == null ? problem : at(member.name(), problem));
    this.member = member;
    this.problem = problem;
  }

  Member<?, ?> member() {
    return member;
  }

  String problem() {
    return problem;
  }

  /** {@code key} followed by {@code problem}: {@code a.b must be > 0}, or {@code a.b[2] must be ...}. */
  static String at(String key, String problem) {
    return problem.startsWith("[") ? key + problem : key + " " + problem;
  }
}
