import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.configurationprocessor.metadata.ConfigurationMetadata;
import org.springframework.boot.configurationprocessor.metadata.ItemHint;
import org.springframework.boot.configurationprocessor.metadata.ItemMetadata;
import org.springframework.boot.configurationprocessor.metadata.JsonMarshaller;

/**
 * Build step, run by the starter's pom right after compilation: adds to the generated
 * spring-configuration-metadata.json a copy of every {@code pool-client.defaults.*} group, property
 * and hint for each implicit mount ({@code pool-client.mounts.http.*}, {@code pool-client.mounts.https.*}),
 * so that IDEs complete and document those keys too. Every key is copied but {@code prefix}, which
 * the implicit mounts do not take. Running it again gives the same file.
 *
 * <p>Usage: {@code java -cp <compile class path> ImplicitMountMetadata.java <metadata file>}
 */
public final class ImplicitMountMetadata {

    private static final String DEFAULTS = "pool-client.defaults";

    private static final List<String> IMPLICIT = List.of("http", "https");

    private ImplicitMountMetadata() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ImplicitMountMetadata <spring-configuration-metadata.json>");
        }
        Path file = Path.of(args[0]);
        JsonMarshaller json = new JsonMarshaller();
        ConfigurationMetadata source;
        try (InputStream in = Files.newInputStream(file)) {
            source = json.read(in);
        }
        ConfigurationMetadata result = new ConfigurationMetadata();
        for (ItemMetadata item : source.getItems()) {
            if (!isCopy(item.getName())) {
                result.add(item);
            }
        }
        source.getHints().stream().filter(hint -> !isCopy(hint.getName())).forEach(result::add);
        source.getIgnored().forEach(result::add);
        int copies = 0;
        for (String mount : IMPLICIT) {
            String prefix = "pool-client.mounts." + mount;
            for (ItemMetadata item : source.getItems()) {
                String suffix = suffix(item.getName());
                if (suffix == null || suffix.equals(".prefix")) {
                    continue;
                }
                ItemMetadata copy = item.isOfItemType(ItemMetadata.ItemType.GROUP)
                        ? ItemMetadata.newGroup(prefix + suffix, item.getType(), item.getSourceType(),
                                suffix.isEmpty() ? null : item.getSourceMethod())
                        : ItemMetadata.newProperty(prefix, suffix.substring(1), item.getType(), item.getSourceType(),
                                item.getSourceMethod(), item.getDescription(), item.getDefaultValue(), item.getDeprecation());
                copy.setDescription(suffix.isEmpty()
                        ? "Implicit mount for every " + mount + ":// URL that no other mount claims; takes no prefix."
                        : item.getDescription());
                result.add(copy);
                copies++;
            }
            for (ItemHint hint : source.getHints()) {
                String suffix = suffix(hint.getName());
                if (suffix != null && !suffix.isEmpty()) {
                    result.add(new ItemHint(prefix + suffix, hint.getValues(), hint.getProviders()));
                }
            }
        }
        if (copies == 0) {
            throw new IllegalStateException(file + " has no " + DEFAULTS + ".* keys to copy");
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            json.write(result, out);
        }
        System.out.println("ImplicitMountMetadata: " + copies + " entries for " + IMPLICIT + " written to " + file);
    }

    /** The part after {@code pool-client.defaults} ("" for the group itself, ".retry.total"), or null. */
    private static String suffix(String name) {
        if (name.equals(DEFAULTS)) {
            return "";
        }
        return name.startsWith(DEFAULTS + ".") ? name.substring(DEFAULTS.length()) : null;
    }

    private static boolean isCopy(String name) {
        return IMPLICIT.stream().anyMatch(mount -> name.equals("pool-client.mounts." + mount)
                || name.startsWith("pool-client.mounts." + mount + "."));
    }
}
