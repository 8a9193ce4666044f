package org.dbay.analysis;

import java.util.Locale;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.StringSetting;

/** {@code "type": "stemmer"} with the English languages of Elasticsearch's stemmer token filter:
 * {@code english} and {@code porter} (Porter), {@code light_english} (KStem),
 * {@code minimal_english}, {@code possessive_english}. Any other language is refused. */
@NamedComponent("stemmer")
public class StemmerTokenFilterFactory implements TokenFilterFactory {
    @AnalysisSettings
    public interface Settings {
        @StringSetting(path = "language", defaultValue = "english")
        String language();
    }

    private final String language;

    @Inject
    public StemmerTokenFilterFactory(Settings settings) {
        this.language = settings.language().toLowerCase(Locale.ROOT);
        switch (language) {
            case "english", "porter", "light_english", "minimal_english", "possessive_english" -> { }
            default -> throw new IllegalArgumentException(
                "stemmer language [" + settings.language() + "] is not provided by the dbay-analysis plugin");
        }
    }

    @Override
    public TokenStream create(TokenStream input) {
        return switch (language) {
            case "light_english" -> new KStemFilter(input);
            case "minimal_english" -> new EnglishMinimalStemFilter(input);
            case "possessive_english" -> new EnglishPossessiveFilter(input);
            default -> new PorterStemFilter(input);
        };
    }
}
