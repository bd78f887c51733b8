"""A FHIR Bulk export grouped by patient inside Spark: the DuckDB reader's join (``OWNER_SQL``
in ``fhir_source``) written as a Spark plan, so a cluster's executors shuffle the resources to
their patient and the driver never sees them.

Each resource's owner is the Patient itself, its subject/patient reference, or (a Provenance)
the owner of the resource it targets. The resources of one owner are gathered in type, id and
text order (the order DuckDB gives), then joined as text into one ``fhir_resources`` line,
the line the workers map and judge (``fhir_courses``). Resources that name no patient are counted by
type, not gathered: one short line per type, as the DuckDB reader ships them. Nothing is parsed
in Python here.
"""

from __future__ import annotations

import json
from typing import Any

from isotrack.audit.fhir_courses import GROUP_PREFIX, UNOWNED
from isotrack.audit.readers import TIMELINE_COLUMN

# The last "Type/id" of a reference, as the DuckDB reader extracts it.
REFERENCE_TAIL = r"([^/]+/[^/]+)$"
# The group of the resources of one type that name no patient: no reference ends this way.
UNOWNED_GROUP = "\u0000unowned/"


def fhir_group_frame(
    spark: Any, files: list[str], policy: str | None, medication_files: list[str] | None = None
) -> Any:
    """One row per owner: a string column ``timeline`` holding its ``fhir_resources`` line.
    A Medication of ``medication_files`` goes to each owner whose resources name it."""
    from pyspark.sql import functions as spark_sql

    def tail(reference: Any) -> Any:
        return spark_sql.regexp_extract(
            spark_sql.coalesce(reference, spark_sql.lit("")), REFERENCE_TAIL, 1
        )

    def lines(paths: list[str]) -> Any:
        return (
            spark.read.text(paths)
            .select(spark_sql.col("value").alias("resource"))
            .where(spark_sql.trim("resource") != "")
        )

    # ``json_tuple`` parses each resource once for its top-level members; a
    # ``get_json_object`` per member parsed it five times (half the scan's time, measured).
    # The medicine's reference is read only when the export has Medications to give.
    wanted = ["resourceType", "id", "subject", "patient", "target"]
    wanted += ["medicationReference"] if medication_files else []
    members = lines(files).select(
        "resource", spark_sql.json_tuple("resource", *wanted)
    ).toDF("resource", "rtype", "rid", "subject", "patient", "targets",
           *(["medication"] if medication_files else []))  # fmt: skip

    def reference(member: str, path: str) -> Any:
        return spark_sql.get_json_object(member, path)

    subject = spark_sql.coalesce(
        reference("subject", "$.reference"), reference("patient", "$.reference")
    )
    read = members.select(
        "resource",
        "rtype",
        "rid",
        tail(subject).alias("ref"),
        tail(reference("targets", "$[0].reference")).alias("target"),
        *([tail(reference("medication", "$.reference")).alias("med")] if medication_files else []),
    )
    owned = read.withColumn(
        "owner",
        spark_sql.when(
            spark_sql.col("rtype") == "Patient", spark_sql.concat(spark_sql.lit("Patient/"), "rid")
        ).when(spark_sql.col("ref") != "", spark_sql.col("ref")),
    )
    # Only resources with no owner of their own and a target look it up: the join moves the
    # small (key, owner) pairs and those few resources, not the whole export.
    orphan = spark_sql.col("owner").isNull() & (spark_sql.col("target") != "")
    keys = owned.select(
        spark_sql.concat("rtype", spark_sql.lit("/"), "rid").alias("key"),
        spark_sql.col("owner").alias("target_owner"),
    )
    adopted = (
        owned.where(orphan)
        .join(keys, spark_sql.col("target") == spark_sql.col("key"), "left")
        .select(spark_sql.col("target_owner").alias("owner"), "rtype", "rid", "resource")
    )
    placed = owned.where(~orphan).select("owner", "rtype", "rid", "resource").unionByName(adopted)
    if medication_files:
        named = (
            owned.where(
                spark_sql.col("owner").isNotNull() & spark_sql.col("med").startswith("Medication/")
            )
            .select("owner", "med")
            .distinct()
        )
        shared = (
            lines(medication_files)
            .withColumn("rid", spark_sql.get_json_object("resource", "$.id"))
            .withColumn("key", spark_sql.concat(spark_sql.lit("Medication/"), "rid"))
        )
        given = named.join(shared, named["med"] == shared["key"]).select(
            "owner", spark_sql.lit("Medication").alias("rtype"), "rid", "resource"
        )
        placed = placed.unionByName(given)
    unowned = spark_sql.col("owner").isNull()
    rtype = spark_sql.coalesce(spark_sql.col("rtype"), spark_sql.lit("(no resourceType)"))
    grouped = (
        placed.withColumn(
            "group",
            spark_sql.when(
                unowned, spark_sql.concat(spark_sql.lit(UNOWNED_GROUP), rtype)
            ).otherwise(spark_sql.col("owner")),
        )
        .groupBy("group")
        .agg(
            # collect_list skips the nulls: an unowned resource's text is never gathered.
            spark_sql.sort_array(
                spark_sql.collect_list(
                    spark_sql.when(
                        ~unowned,
                        spark_sql.struct(
                            spark_sql.coalesce("rtype", spark_sql.lit("")),
                            spark_sql.coalesce("rid", spark_sql.lit("")),
                            "resource",
                        ),
                    )
                )
            ).alias("resources"),
            spark_sql.count(spark_sql.lit(1)).alias("count"),
        )
    )
    head = "" if policy is None else f',"policy":{json.dumps(policy)}'
    texts = spark_sql.transform("resources", lambda r: r["resource"])
    return grouped.select(
        spark_sql.when(
            spark_sql.col("group").startswith(UNOWNED_GROUP),
            spark_sql.to_json(
                spark_sql.struct(
                    # The group's key names the type: no aggregate over every patient's rows.
                    spark_sql.expr(f"substring(`group`, {len(UNOWNED_GROUP) + 1})").alias(UNOWNED),
                    spark_sql.col("count"),
                )
            ),
        )
        .otherwise(
            spark_sql.concat(
                spark_sql.lit(f"{GROUP_PREFIX}:["),
                spark_sql.array_join(texts, ","),
                spark_sql.lit(f"]{head}}}"),
            )
        )
        .alias(TIMELINE_COLUMN)
    )
