using System.IO.Compression;

namespace Mira.Dicom.Text;

/// <summary>
/// JIS X 0212-1990 (supplementary kanji, ISO-IR 159, designated to G0 by ESC $ ( D; PS3.5 Annex H,
/// PS3.3 Table C.12-5). The .NET code-page provider's EUC-JP encodings (20932, 51932) only cover JIS X 0208,
/// so the 94×94 table is stored here: one UTF-16 code unit per cell (row 0x21..0x7E × cell 0x21..0x7E, 0 = unassigned),
/// delta-coded between consecutive cells, little-endian, raw-deflated and base64-encoded.
/// The data is the JIS X 0212 → Unicode mapping (6067 assigned cells), generated with CPython's euc_jp codec (0x8F prefix).
/// </summary>
internal static class JisX0212Table
{
    private const string Data =
        "7Vrdq25FGZ/vWWu9797v2ft09BzT8AsLTlIZYaFgEgQJRQR1I4HdFNGFJBJSF4JUGIgRFFJRIXRR9PEH1JVdqFR0YTci4hcZUYQe" +
        "8/O4zzvNmvnNb561TboxKNtrs9+vNWvmmWee5/f8nmdGqTfn9bB5Jp05d4lx6qFz7zQp/fhcsFp95WDZ6l7l1Sl1fXrjxv2Vejal" +
        "5NWtF9/x+C0X//UxdXQdXW+S6+vWKJ3/LlafOrjL3npwt71IffLgm/aL8KqfW13uv1Xdn65VL6aV2qan09vUVQdvxOjG1d6Xf7NE" +
        "Z159I/r/xOv2f++r/7trdr+6QT27vUI/sr1K/2F7vd6m+7Y36LvTl9Uvt5/Vt6VL/w32/VmdVo+nq9WUNeHz6zaN+dMv0o3qrnSn" +
        "uieZ9J+T/T6VkssjflD9Tr03f7ovbdOH8uhO/Tq/z68p2dzm4+ogHaSg/rK9UM93t7ntT3FP68+ks/n72bTOT9pydyivdyWD/s+p" +
        "2/Pz30i349naR8j/t6GXb6nPqR/kfoY80tl0c7l/kH6UPp++nz/VXr+2lbI/ib4vgexPZNkvLz0/kt/n19rzeyD7o+odWZ4nt5do" +
        "px7EvafUu7en9b+S/WeU/bEi+0/STa+R/R70csvryH5n7uM29PrV7RG6HV3/r5f52IzyUQW1k71B53+b/2b092qVX+dvk5pxL+Zf" +
        "dPnN5da7+Ted3/fz3Sk/O5UndPkt5tbz3yDiiC+9BvRt1In86V3qj8mgrS2vAa0Dfo15rIj7Ab1Z/JsiiVath3qv/Xo8j9h+lW01" +
        "fjNlXjNm7Ob/ib/b8tdkchhLl+c9ZJnbriiLQ1uNz20Olr1p9dv0YTznSp9dCs/P899Qvo/iSYt51JEcJG8zDqUHV2SzlGj++1Pm" +
        "HlFowGN19UJb81hDuVd/i2W0k0WKWDRU7015vu05ixVuWgzFZkbMyxZd2mwRTdtTblFnFEurNX43tLOh3Nel1zrfKFau29FQZqzZ" +
        "s4XcrmjEQpu+fNfQdrOJsYxfxzPQVtOgFqtv2M5lyVPaLStabVEXC/DQZeBoDtbpMFaTzhbWYLHO9X1ut5u1s5d7irAVD13sQrtG" +
        "bbgifaVXtMpqCQ7+1G3I8vkqf4Qm9guDsWU8Q2u2tJaYvbGud/Nhh5bVBiM+t9dT8Kdu61V366Jnn2dnMP+mCQ3bs2XNYm4xQnYr" +
        "+GbMXuto3WbhJ9LufZmPpr86WuaGMo/Cd6NAgSq3K9p3lOsg6Sy9XdilLr2czQg1W+cEDKv+5imPZh+GKDMCB+u/V8eE7vRCFolQ" +
        "893ZG61Aqfn9+bRP/foiR7W3gdZbPcATTzR9/eF0utiVFRL5YgcTPcDDOubvx+g7QcjZVjtyJW0ZfV+9nNlWwMiGvuiKzie1D3uq" +
        "fV155aMPOfQVhV86WE4Qaz77vKFUteWGMzUFs2REcFiZJqlF9GpWF4UNzSMOvLcqElp67Fs433mVR6Bv09eMax7YbAWGe+jdMAJ5" +
        "YMaqyFwxI9LLYp7NRerpZBARhtxuLGsbyrepzG1nYRtOOYEu+5Ta0DLn+ayBVBqruMGcN3mEyPjekWXu4zIik+P6OmKBRnScx1hR" +
        "AlvkrGNvMNOz6XzItAOkPJUtpLafypo4jGhLm4PMy8+kE5xlKLKNwp+8QH+HGcaiz4p/E9Zpmybe2ZRPsdil4ervZumm0vss2ytp" +
        "IOoagSbzt2N5JrMdNI+tUkxAkqDmzKL5TiwzD+p8aC6UZ5seG8rWVTZkJI6zdfDcqpNB4IQttunQv4YFzXI3TFszynlKP4Fl6QUu" +
        "a2Dkqug30HJ8sfBQ7kS09ZAhlBgwFRtcxlkDrHGQdUBryxVqo3qyo6qJHaB1nY0VrSXCV+/01OJsAdWLT+TPaxXAIi2fi9CBEyzP" +
        "Q4sryK+Lb1R2KlmpyVYY4VEGKFt5p6H0u0D8umqOGOWKbCPiic2WU3s+D7rWnO0E3ztWfGYQ0cEQS/aoTQsNSw7TPXPCk06MYDBb" +
        "C/kcY3id7S5ZSkOtCFQylEIX+QNmFhiDGxL4IvsamjkcIxrTq6sx0G+jiA1tfSO8yYtZNm3vCKbgiXpt/n4x24b8vvh1s1oD3rvC" +
        "LDfwM1/8yxK/B/S5gk94rOj8/B4lavHU8dViVlags5zFrNG5UtSs36tzaVxkId9TNydd4ucLadbay6n58UHakIdG4UmOfCYIC3d4" +
        "j+V+9el1wegZewM8cq94dx17KCy6+nzNHQIsyjB2GXUC49b1vVY9kDqPG4GbHrxhluZG9ZtUpRnVXP/vFjFAg77cq/51TPArSwRo" +
        "9rZLjmfQuyuzm7DWWviMJmJ2PbWoNRIJq9wXkE/E0pMXPKBHtJZluBJ925xk1jVAV2OxOQ/7GWnlI3S4Rty3sL6BGWWTyxJDG1qO" +
        "kK+ih2HsCIxQgfhjmTPZUg1zjED1N4/vLS/v2UdD60AECbCmCG9yiPaRvGoA3uwzB+29amil40TNrCNmEJGTBHKjFt0j0dgJ9jb/" +
        "r4RFerA/IyJoi8cGLat0e0TrZf7YGL8hWzbFCq2QZF1aX5cewHzmuyeBXg4zXBdOMQnevo+2Lb53jtIltQVNW740z/6CYhkr5osD" +
        "18cJa+5Mfm47FJlD0ViE/RhimKGNzt8uLL2sWEExYNoGv1uuXh3lTLpU5Ea9wjJLu0fUtaLComHdnSMG4LMu2b4Bk3JqgjYcqxm1" +
        "9VSsfc04HQVrGqGTZ9N55FjV1x2yZE0fiJzJ8cWqzx53Hnyk5wGbYjGGMbBXLXpdoNWu9rCKHrmWR3RqdRJNbhlVY4QXipg7kWt7" +
        "clYNxDGQzAqWYRibmqc2jXlYwVAwqdXkqlc17ImlJteQxQlL9/RLx+qB51q03Ka31cTNnm0ExmADi2142DHMEIF79tZn0qsJDRHb" +
        "/ZXwJ7OowsUyt1FkyfJvQC5lRG7gi4c6odtWV3Hkb9JejYgoMo4YatGhduXAR5qtOPKDQEtYM/tvOZZHtJHRLgDJKrbsigyntVmJ" +
        "rD7A7z3nFLACveLXJDNFJ0bMwigr5tNrgW1+fqGDXfViklWSqSCXF1ZrS5W4emNY1AfkrqEtnt/z1VZzaNXPFhXDolVr2+bqhc4c" +
        "bMuK37ywGUsL1qiKWUT3yNpt9S4HzY70aytYnqElWXLtVgVei4haI9FaRHFXYrRZ2OO6/Ff/HUuNSTNztbTiXuG0xPHZZl9KnfMO" +
        "hY/Mq2NRPwliRE221NiFOVQJ6syjRYUIWXeEJpsteBH36nOR3urBk7t9ebSNIs5pRMPAnKTnElZoUdO/rMjILHLhIOqdLWJNwLzI" +
        "9Z6w+hbZasv+IqLeTom0blFPbNHDcMciItu2Iv92BW89evTEcrtAO02LbpWE2usOcLCzJLPIGVrLCVptMbVz7XXBgmo3YYER3U4N" +
        "63IjUGECpgcRs73Yn3ACaW2JwrPcu+SPRkQ2j/V3qKYZ1jQd9d/jQcB83aGqrWbMCWQ7LV8ZRa1KA+3frp5KPZZ0f9kFzzSwhSja" +
        "NDbesr/AqnVgzAuwVsvKS5Xuh5lBG8ESBuQWWsyl5pJrfF4Jz2t5rIOnDIzbAWvouFfRe9fIJOwic4yi1hWYAcmdAJc5hgOvm+Wp" +
        "cb8x8J3ClP3CvgZ4RY/ANRdecSRD3u+ZqVng9siVqSx4yv0/n5rND/BWh7pAzMj/cjLcITGctWR4Mmp3ZPUiQlYbHoV3aTAxh8gR" +
        "xe6WEUzKit0xuS+iFzzLcr9rKnMOzBNa5h2Etc/vH0EW3HxWk9tbjqVZXavzPKUG+rNBVm7E/DW4m1X73P8KxKYvpe8gj+wssFVE" +
        "vp3uyDKsF/si0u/6TmEQFchqozvwu0HEDtnOswI8llzBcxWuUQ8mzRY15qxFFW+5SzmCv2nB6JY8ISI/6LbdWZsj8hpUi7uHSkyz" +
        "6vF0GjL1ikYgOg/Uda+2BfRnaDmOsVwLntGRva3Kcc7bsHrlD8WWwBmtGUt67fTedAssTzOONk7puQKBeYbcrzbFa1suNSG+Da85" +
        "s+VoEW11nWBTo0Aax0qW4foEkTkY7j63vdpRvZL0IYwfKbldPCN36PRi93LGn6G0PCn46oC8vOf3fUd7KD4xCG7qMYcgdOSg/WHB" +
        "HQ3jehCx0LPfvnesgdgNh9rKrESkP0nJdoiehvuQnvmPFlm3YcwKouLard6LPVKHUwlyV7rzfCey/QAdSn7sRYXXMOcxRVZHdhyQ" +
        "K9VM42/psoLPXrAMwxrt82mvsIpR7E0sWWYd6buQP3JeRlQT5jr7JCq9gTxtIJpo5jYncNKk1YtbhSuSeVqBzjVWzLq5Aba/hyc9" +
        "q6eaO/byhIdf1NktMXBFBvv79D6gmaPdBHCmbp+TsHfpnZpWqlkLa6va6+OBJx+02D10rEnISFYj7lBqUV1j/0jHuRaaVT55fsAt" +
        "KvaWXj4sGHHt4f1if2VDC1pW3zX3OBwqzY0tGjCTegYkqFeToS8NwOSNMqxq1Nr8WmjfL07HaO47VtzaqOeSp3fsLPLdoP6eLlcv" +
        "JIfzG1pk/p4cTAufPJe08Ft5fkOj1hpF9tDymcg6lmFN01KSwL2L5T6cF1HS4LRH84a+c6UPVcTtYq9BC05liFKytmEXp5zMwgst" +
        "tdirfE4wWS32Es2hSlWzSymr5b6fWTx1eP9RL3iKZEBGcBeDvbRWM3Dca5F6M+RNGjtucTFvJ6pXdpGJOFEDCeIUkl3s6BtW1Wap" +
        "nkknF9rXrMNbsWuwr7apj6LJtrrPDfCknkvMJ1WbTkbBXP1C6v2MfS8AdRqCb4RFt+zLgbmaxY5wOMR+rxbrHYSNNtzZ4wrNeXMQ" +
        "5yY0z2p57gp0q3aF+Q/qifuv+IBhhh/AM6s+9qiXyiNq7SsyU2jZigNf6fXmuuLrxR6aJebaQ6dppJ3I/MCKkzqvpgBUsTyxYJHZ" +
        "BOZeVrCF2tuz6RQwIC7seBAZzXXC2rTISuZZnRAe0OrfelGF7nzJiWjsxLsXlfblmcZrkGVMgv1YeMTEKGKQey93NR09yXGv14hY" +
        "0bj4Rp1NVlRPq9V99JC/yd0rK/QpOY4W5zol99cL5rfcx+l46Yl3beQVqyAyD9SL6nE/ExqEVs1iDzow+5f7zl0ag737diKwVcf7" +
        "qTyJRqPY29Iiy9ECCTR3ruXZLb3QoKZFPJc2OWoFsZ/+hWJH8wmGl/K9PrM9kZPMkrycGlcccbokpT7Djute2K+MSiPYbKueWEbG" +
        "6dB+rhf7/ZUNrcvosjpdPe/Th6osBjsq/TSDW7DgPVT6JlR09eLkbgQzDYd25PupJicqlDLaSytZH6qHTsJWNDF6fzFGJE7ceNPR" +
        "qfKj6+g6uo6uo+voOrqOrqPr6Dq6/luvfwI=";

    /// <summary>Decompresses the table into 94×94 UTF-16 code units (0 where unassigned).</summary>
    public static char[] Load()
    {
        var compressed = Convert.FromBase64String(Data);
        using var inflater = new DeflateStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var raw = new byte[94 * 94 * 2];
        inflater.ReadExactly(raw);
        var table = new char[94 * 94];
        ushort previous = 0;
        for (var i = 0; i < table.Length; i++)
        {
            previous = (ushort)(previous + (raw[2 * i] | (raw[2 * i + 1] << 8)));
            table[i] = (char)previous;
        }
        return table;
    }
}
