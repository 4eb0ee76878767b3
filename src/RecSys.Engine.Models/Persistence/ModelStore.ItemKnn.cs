using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;

namespace RecSys.Engine.Models.Persistence;

public static partial class ModelStore
{
    /// <summary>
    /// Item-kNN (and the sequence model): the neighbour lists in one CSR file, neighbors.csr
    /// (<see cref="NeighborListFile"/>: 8 bytes per kept neighbour, nothing for slots a list does not fill). The layout
    /// before it (neighbors.ids + neighbors.vec, items x the longest list, padded with -1) paid 12 bytes for every slot
    /// of every item; <see cref="LoadItemKnn"/> still reads it.
    /// </summary>
    public static void SaveItemKnn(ItemKnn model, IdMap items, string directory)
    {
        DurableFile.CreateDirectory(directory);
        int n = model.ItemCount;
        // The model holds its lists in this very layout: written as they are.
        var (start, neighbors, similarities) = model.Lists;
        int longest = 0;
        for (int i = 0; i < n; i++)
            longest = Math.Max(longest, start[i + 1] - start[i]);
        NeighborListFile.Write(Path.Combine(directory, "neighbors.csr"), start.AsSpan(0, n + 1), neighbors.AsSpan(0, start[n]), similarities.AsSpan(0, start[n]));
        WriteManifest(directory, new ModelManifest
        {
            Kind = "itemknn",
            Users = 0,
            Items = n,
            // The longest list (the fixed-width layout's slot count): informational in the CSR layout.
            Dimension = Math.Max(longest, 1),
            Parameters = ItemKnnParameters(model),
            Files = new()
            {
                ["items"] = IdMapFile.Write(directory, "items", items),
                ["neighbor_lists"] = "neighbors.csr",
            },
        });
    }

    /// <summary>The manifest's parameters: neighbours and similarity, and the window for the sequence similarity only.</summary>
    private static Dictionary<string, string> ItemKnnParameters(ItemKnn model)
    {
        var parameters = new Dictionary<string, string> { ["neighbors"] = Str(model.Neighbors), ["similarity"] = model.Similarity.ToString() };
        if (model.Similarity == ItemSimilarityKind.Sequence)
            parameters["window"] = Str(model.Window);
        return parameters;
    }

    /// <summary>A restored item-kNN model; call <see cref="ItemKnn.AttachHistories"/> (or score histories directly) to score users.</summary>
    public static (ItemKnn Model, IdMap Items) LoadItemKnn(string directory)
    {
        var m = ReadManifest(directory, "itemknn");
        if (!Enum.TryParse(Get(m, "similarity"), out ItemSimilarityKind similarity) || !Enum.IsDefined(similarity))
            throw new InvalidDataException($"{m.SourcePath}: unknown similarity '{Get(m, "similarity")}'");
        int neighbors = Int(m, "neighbors");
        if (neighbors < 1)
            throw new InvalidDataException($"{m.SourcePath}: neighbors must be >= 1, got {neighbors}");
        // Only the sequence similarity has a window; directories written before it existed have none.
        int window = m.Parameters.ContainsKey("window") ? Int(m, "window") : 3;
        if (window < 1)
            throw new InvalidDataException($"{m.SourcePath}: window must be >= 1, got {window}");
        int n = m.Items;
        var (start, items, weights) = m.Files.ContainsKey("neighbor_lists")
            ? NeighborListFile.Read(Path.Combine(directory, FileOf(m, directory, "neighbor_lists")), n)
            : ReadFixedWidthLists(m, directory, n);
        var model = new ItemKnn(neighbors, similarity, window: window);
        model.Restore(n, start, items, weights);
        return (model, IdMapFile.Read(directory, FileOf(m, directory, "items"), n));
    }

    private static (int[] Start, int[] Items, float[] Weights) ReadFixedWidthLists(ModelManifest m, string directory, int n)
    {
        int keep = m.Dimension;
        if (keep < 1)
            throw new InvalidDataException($"{m.SourcePath}: dimension (neighbour slots per item) must be >= 1, got {keep}");
        string idPath = Path.Combine(directory, FileOf(m, directory, "neighbor_ids"));
        long[] ids = IdFile.Read(idPath);
        if (ids.LongLength != (long)n * keep)
            throw new InvalidDataException($"{idPath}: holds {ids.LongLength} neighbour ids, the manifest says {n} items x {keep} slots = {(long)n * keep}");
        string simFile = FileOf(m, directory, "neighbor_similarities");
        float[] sims = ReadRows(directory, simFile, n, keep);

        var start = new int[n + 1];
        var items = new List<int>();
        var weights = new List<float>();
        for (int i = 0; i < n; i++)
        {
            bool ended = false;
            for (int s = 0; s < keep; s++)
            {
                long id = ids[(long)i * keep + s];
                if (id == -1)
                {
                    ended = true;
                    continue;
                }
                if (ended)
                    throw new InvalidDataException($"{idPath}: item {i} has neighbour {id} in slot {s} after an empty slot");
                if (id < 0 || id >= n || id == i)
                    throw new InvalidDataException($"{idPath}: item {i}, slot {s}: neighbour {id} is {(id == i ? "the item itself" : $"outside the {n} items")}");
                float w = sims[(long)i * keep + s];
                if (!float.IsFinite(w))
                    throw new InvalidDataException($"{Path.Combine(directory, simFile)}: item {i}, slot {s}: similarity {w} is not finite");
                items.Add((int)id);
                weights.Add(w);
            }
            start[i + 1] = items.Count;
        }
        return (start, items.ToArray(), weights.ToArray());
    }
}
