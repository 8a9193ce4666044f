package org.dbay.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.IntSetting;

/** {@code "type": "edge_ngram"} token filter: Lucene's EdgeNGramTokenFilter with Elasticsearch's
 * settings and defaults ({@code min_gram} 1, {@code max_gram} 2, {@code preserve_original} false). */
@NamedComponent("edge_ngram")
public class EdgeNGramTokenFilterFactory implements TokenFilterFactory {
    @AnalysisSettings
    public interface Settings {
        @IntSetting(path = "min_gram", defaultValue = 1)
        int minGram();

        @IntSetting(path = "max_gram", defaultValue = 2)
        int maxGram();

        @BooleanSetting(path = "preserve_original", defaultValue = false)
        boolean preserveOriginal();
    }

    private final int minGram;
    private final int maxGram;
    private final boolean preserveOriginal;

    @Inject
    public EdgeNGramTokenFilterFactory(Settings settings) {
        this.minGram = settings.minGram();
        this.maxGram = settings.maxGram();
        this.preserveOriginal = settings.preserveOriginal();
        if (minGram < 1 || maxGram < minGram) {
            throw new IllegalArgumentException("edge_ngram needs 1 <= min_gram <= max_gram");
        }
    }

    @Override
    public TokenStream create(TokenStream input) {
        return new EdgeNGramTokenFilter(input, minGram, maxGram, preserveOriginal);
    }
}
