package dev.socklab.chat;

import com.ibm.icu.lang.UScript;
import com.ibm.icu.text.SpoofChecker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who holds which nickname. A nick is unique up to case ({@code Bob} is {@code bob}) and up to
 * look-alikes: two nicks with the same confusable skeleton (Unicode Technical Standard #39, section
 * 4, computed by ICU4J's {@link SpoofChecker}) cannot both be held, so {@code p\u0430ypal} (with
 * U+0430 CYRILLIC SMALL LETTER A) cannot pass for {@code paypal}.
 *
 * <p>Not thread-safe: used by the room's one thread.
 *
 * @param <M> what holds a nick (a room member)
 */
final class Nicks<M> {
  // Built once: building loads ICU's confusables data; the built checker is immutable.
  private static final SpoofChecker SPOOF =
      new SpoofChecker.Builder()
          .setChecks(SpoofChecker.RESTRICTION_LEVEL)
          .setRestrictionLevel(SpoofChecker.RestrictionLevel.MODERATELY_RESTRICTIVE)
          .build();

  /**
   * Builds the checker now, if it is not built yet: 40-60 ms of ICU's data and set-up that a
   * server's start would otherwise wait for. Thread-safe (class initialisation), so a warm-up
   * thread may call it while the main thread gets to the room.
   */
  static void load() {
    // the class's initialisation, which the call itself brings about, is the work
  }

  // Exact lookups (/msg) go by case fold only; taking a nick is checked against every look key.
  private final Map<String, M> byFold = new HashMap<>();
  private final Map<String, M> byLook = new HashMap<>();

  /**
   * The member who holds this very nick, ignoring case. Look-alikes do not count: once {@code coco}
   * has left, someone else may take its Cyrillic look-alike {@code \u0441\u043e\u0441\u043e}, and a
   * private message written to coco must then find no such nick, not reach them.
   *
   * @param nick a nickname as typed
   * @return its holder, or null
   */
  M holder(String nick) {
    return byFold.get(Sanitizer.fold(nick));
  }

  /**
   * The member, other than {@code self}, whose nick is the same as {@code nick} ignoring case or
   * looks like it (UTS #39 skeletons).
   *
   * @param nick a candidate nickname
   * @param self a member whose own nick does not count (null for none)
   * @return that member, or null if {@code nick} is free for {@code self}
   */
  M clash(String nick, M self) {
    for (String key : lookKeys(nick)) {
      M m = byLook.get(key);
      if (m != null && m != self) {
        return m;
      }
    }
    return null;
  }

  /**
   * Records that {@code m} holds {@code nick}; the caller has checked {@link #clash}.
   *
   * @param nick the nickname
   * @param m its holder
   */
  void put(String nick, M m) {
    byFold.put(Sanitizer.fold(nick), m);
    for (String key : lookKeys(nick)) {
      byLook.put(key, m);
    }
  }

  /**
   * Frees {@code nick} and its look-alikes, if {@code m} holds them.
   *
   * @param nick the nickname
   * @param m its holder
   */
  void remove(String nick, M m) {
    byFold.remove(Sanitizer.fold(nick), m);
    for (String key : lookKeys(nick)) {
      byLook.remove(key, m);
    }
  }

  /** Frees every nick. */
  void clear() {
    byFold.clear();
    byLook.clear();
  }

  /**
   * The keys under which a nick is held: the UTS #39 skeletons of the nick as typed, of its upper
   * case and of its case fold ({@link Sanitizer#fold}). Two nicks clash when they share a key. The
   * skeleton of the fold alone would miss look-alikes that match only in another case: Greek {@code
   * \u0392\u039f\u0392} looks like {@code BOB}, the same nick as {@code bob}, but its lower case
   * {@code \u03b2\u03bf\u03b2} does not look like {@code bob}.
   *
   * @param nick a nickname
   * @return one to three keys
   */
  static Set<String> lookKeys(String nick) {
    Set<String> keys = new LinkedHashSet<>(3);
    keys.add(SPOOF.getSkeleton(nick));
    keys.add(SPOOF.getSkeleton(nick.toUpperCase(Locale.ROOT)));
    keys.add(SPOOF.getSkeleton(Sanitizer.fold(nick)));
    return keys;
  }

  /**
   * Refuses a nick below the UTS #39 (section 5.2) "moderately restrictive" level, the way a
   * look-alike of a nick that is not online yet would be reserved ({@code p\u0430ypal} before
   * {@code paypal} comes). Accepted: one script, any script (Hangul, Cyrillic, Cherokee...); Latin
   * with the scripts of Chinese, Japanese or Korean ({@code \ubbfc\uc218_kim99}); Latin with one
   * other script except Cyrillic, Greek and Cherokee. Digits, {@code _} and {@code -} go with any
   * script. Everything else, such as Latin with Cyrillic, is refused.
   *
   * @param nick a nickname that passed {@link Sanitizer#nickProblem}
   * @return null if it is acceptable, otherwise why not (for an error line)
   */
  static String mixedScriptProblem(String nick) {
    if (!SPOOF.failsChecks(nick)) {
      return null;
    }
    return "nick '"
        + nick
        + "' mixes "
        + scripts(nick)
        + " letters; write it in one script (mixed scripts make look-alikes)";
  }

  // "Latin and Cyrillic", "Latin, Arabic and Hebrew": the scripts in order of first use.
  private static String scripts(String nick) {
    Set<String> names = new LinkedHashSet<>();
    nick.codePoints()
        .map(UScript::getScript)
        .filter(s -> s != UScript.COMMON && s != UScript.INHERITED)
        .forEach(s -> names.add(UScript.getName(s)));
    List<String> list = new ArrayList<>(names);
    if (list.size() < 2) {
      return String.join("", list);
    }
    return String.join(", ", list.subList(0, list.size() - 1)) + " and " + list.getLast();
  }
}
