package io.jsd.qcow2.internal;

import static io.jsd.options.QapiType.alternate;
import static io.jsd.options.QapiType.enumeration;
import static io.jsd.options.QapiType.struct;

import io.jsd.options.OptionsSchema;

/** blockdev-add's BlockdevOptionsQcow2 and blockdev-create's BlockdevCreateOptionsQcow2 (qapi/block-core.json). */
final class Qcow2Schema {
    private Qcow2Schema() {}

    static final OptionsSchema OPEN = OptionsSchema.of(
            struct("BlockdevOptionsQcow2", "file:BlockdevRef", "backing?:BlockdevRefOrNull", "lazy-refcounts?:bool",
                    "pass-discard-request?:bool", "pass-discard-snapshot?:bool", "pass-discard-other?:bool",
                    "discard-no-unref?:bool", "overlap-check?:Qcow2OverlapChecks", "cache-size?:int", "l2-cache-size?:int",
                    "l2-cache-entry-size?:int", "refcount-cache-size?:int", "cache-clean-interval?:int",
                    "encrypt?:BlockdevQcow2Encryption", "data-file?:BlockdevRef"),
            alternate("Qcow2OverlapChecks", "Qcow2OverlapCheckFlags", "Qcow2OverlapCheckMode"),
            struct("Qcow2OverlapCheckFlags", "template?:Qcow2OverlapCheckMode", "main-header?:bool", "active-l1?:bool",
                    "active-l2?:bool", "refcount-table?:bool", "refcount-block?:bool", "snapshot-table?:bool",
                    "inactive-l1?:bool", "inactive-l2?:bool", "bitmap-directory?:bool"),
            enumeration("Qcow2OverlapCheckMode", "none", "constant", "cached", "all"),
            struct("BlockdevQcow2Encryption", "format:BlockdevQcow2EncryptionFormat")
                    .union("format", "aes", "QCryptoBlockOptionsQCow", "luks", "QCryptoBlockOptionsLUKS"),
            enumeration("BlockdevQcow2EncryptionFormat", "aes", "luks"),
            struct("QCryptoBlockOptionsQCow", "key-secret?:str"),
            struct("QCryptoBlockOptionsLUKS", "key-secret?:str"));

    static final OptionsSchema CREATE = OptionsSchema.of(
            struct("BlockdevCreateOptionsQcow2", "file:BlockdevRef", "data-file?:BlockdevRef", "data-file-raw?:bool",
                    "extended-l2?:bool", "size:size", "version?:BlockdevQcow2Version", "backing-file?:str",
                    "backing-fmt?:BlockdevDriver", "encrypt?:QCryptoBlockCreateOptions", "cluster-size?:size",
                    "preallocation?:PreallocMode", "lazy-refcounts?:bool", "refcount-bits?:int",
                    "compression-type?:Qcow2CompressionType"),
            enumeration("BlockdevQcow2Version", "v2", "v3"),
            enumeration("PreallocMode", "off", "metadata", "falloc", "full"),
            enumeration("Qcow2CompressionType", "zlib", "zstd"),
            struct("QCryptoBlockCreateOptions", "format:QCryptoBlockFormat")
                    .union("format", "qcow", "QCryptoBlockOptionsQCow", "luks", "QCryptoBlockCreateOptionsLUKS"),
            enumeration("QCryptoBlockFormat", "qcow", "luks"),
            struct("QCryptoBlockOptionsQCow", "key-secret?:str"),
            struct("QCryptoBlockCreateOptionsLUKS", "key-secret?:str", "cipher-alg?:QCryptoCipherAlgo",
                    "cipher-mode?:QCryptoCipherMode", "ivgen-alg?:QCryptoIVGenAlgo", "ivgen-hash-alg?:QCryptoHashAlgo",
                    "hash-alg?:QCryptoHashAlgo", "iter-time?:int"),
            enumeration("QCryptoCipherAlgo", "aes-128", "aes-192", "aes-256", "des", "3des", "cast5-128", "serpent-128",
                    "serpent-192", "serpent-256", "twofish-128", "twofish-192", "twofish-256", "sm4"),
            enumeration("QCryptoCipherMode", "ecb", "cbc", "xts", "ctr"),
            enumeration("QCryptoIVGenAlgo", "plain", "plain64", "essiv"),
            enumeration("QCryptoHashAlgo", "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "ripemd160", "sm3"));
}
