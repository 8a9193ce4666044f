package org.dbay.analysis;

import java.io.IOException;
import java.io.StringReader;
import java.text.ParseException;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.elasticsearch.plugin.Inject;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.elasticsearch.plugin.settings.AnalysisSettings;
import org.elasticsearch.plugin.settings.BooleanSetting;
import org.elasticsearch.plugin.settings.ListSetting;

/** {@code "type": "synonym_graph"} with inline {@code synonyms} rules in the Solr format
 * ({@code "tv, television"}, {@code "ipod => ipod, mp3 player"}) and {@code expand} (default true):
 * Lucene's SynonymGraphFilter. The rules are parsed with a standard tokenizer, lowercase and ASCII
 * folding, so put this filter right after lowercase and asciifolding in the chain (before stemming).
 * {@code synonyms_path} is not provided: managed clusters want inline rules or synonym sets anyway. */
@NamedComponent("synonym_graph")
public class SynonymGraphTokenFilterFactory implements TokenFilterFactory {
    @AnalysisSettings
    public interface Settings {
        @ListSetting(path = "synonyms")
        List<String> synonyms();

        @BooleanSetting(path = "expand", defaultValue = true)
        boolean expand();
    }

    private final SynonymMap synonymMap;

    @Inject
    public SynonymGraphTokenFilterFactory(Settings settings) {
        Analyzer ruleAnalyzer = new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer tokenizer = new StandardTokenizer();
                TokenStream stream = new ASCIIFoldingFilter(new LowerCaseFilter(tokenizer));
                return new TokenStreamComponents(tokenizer, stream);
            }
        };
        StringBuilder rules = new StringBuilder();
        for (String rule : settings.synonyms()) {
            rules.append(rule).append('\n');
        }
        try {
            SolrSynonymParser parser = new SolrSynonymParser(true, settings.expand(), ruleAnalyzer);
            parser.parse(new StringReader(rules.toString()));
            this.synonymMap = parser.build();
        } catch (IOException | ParseException error) {
            throw new IllegalArgumentException("failed to build synonyms: " + error.getMessage(), error);
        }
    }

    @Override
    public TokenStream create(TokenStream input) {
        return synonymMap.fst == null ? input : new SynonymGraphFilter(input, synonymMap, true);
    }
}
