package dev.socklab.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.socklab.client.ClientMain;
import dev.socklab.netinfo.NetinfoMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The launcher's one command table and the picocli model the man pages and completion come from
 * must name the same commands, and the table's main classes must be the ones the jars run.
 */
class LauncherTableTest {
  private static final Pattern MAIN = Pattern.compile("<socklab\\.main>([^<]+)</socklab\\.main>");

  private final LauncherTable table = LauncherTable.read(LauncherTable.root().resolve("socklab"));
  private final CommandLine model = SocklabCommand.commandLine();

  @Test
  void theTableAndTheModelNameTheSameCommandsInTheSameOrder() {
    assertThat(table.names()).containsExactlyElementsOf(model.getSubcommands().keySet());
  }

  @Test
  void serversRunTheirOwnCommandClassAsTheirModuleJarDoes() throws IOException {
    for (LauncherTable.Row row : table.rows()) {
      if (!row.kind().equals("server") && !row.kind().equals("check")) {
        continue;
      }
      Object command = model.getSubcommands().get(row.name()).getCommandSpec().userObject();
      assertThat(row.main()).as(row.name()).isEqualTo(command.getClass().getName());
      assertThat(moduleMain(row.module())).as(row.module() + "/pom.xml").isEqualTo(row.main());
    }
  }

  @Test
  void clientsRunClientMainWhichKnowsThemByTheirName() throws IOException {
    assertRowsRunAMainThatKnowsThemByName("client", new ClientMain());
  }

  @Test
  void namesAndSocketOptionsRunNetinfoMainWhichKnowsThemByTheirName() throws IOException {
    assertRowsRunAMainThatKnowsThemByName("info", new NetinfoMain());
    assertThat(table.names()).contains("resolve", "sockopt");
  }

  // Rows of this kind run `main` (their module's jar's main too), which has them as subcommands.
  private void assertRowsRunAMainThatKnowsThemByName(String kind, Object main) throws IOException {
    CommandLine commands = new CommandLine(main);
    for (LauncherTable.Row row : table.rows()) {
      if (!row.kind().equals(kind)) {
        continue;
      }
      assertThat(row.main()).as(row.name()).isEqualTo(main.getClass().getName());
      assertThat(moduleMain(row.module())).as(row.module() + "/pom.xml").isEqualTo(row.main());
      assertThat(commands.getSubcommands())
          .as(main.getClass().getSimpleName() + "'s subcommands")
          .containsKey(row.name());
    }
  }

  @Test
  void theLaunchersOwnCommandsHaveNoMainClassAndAFunction() throws IOException {
    String script = Files.readString(LauncherTable.root().resolve("socklab"));
    for (LauncherTable.Row row : table.rows()) {
      if (row.kind().equals("tool") || row.kind().equals("project")) {
        assertThat(row.main()).as(row.name()).isEqualTo("-");
        assertThat(script).as(row.name()).contains("cmd_" + row.name().replace('-', '_') + "() {");
      } else {
        assertThat(row.kind()).as(row.name()).isIn("server", "client", "check", "info");
      }
      assertThat(row.summary()).as(row.name()).isNotBlank();
    }
  }

  @Test
  void everyCommandIsRegisteredUnderItsShortName() {
    model
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              assertThat(sub.getCommandName()).isEqualTo(name);
              assertThat(sub.getCommandSpec().qualifiedName()).isEqualTo("socklab " + name);
            });
  }

  /** The main class a module's jar runs: its pom's socklab.main property. */
  private static String moduleMain(String module) throws IOException {
    Path pom = LauncherTable.root().resolve(module).resolve("pom.xml");
    Matcher m = MAIN.matcher(Files.readString(pom));
    return m.find() ? m.group(1).strip() : "(no socklab.main in " + pom + ")";
  }
}
