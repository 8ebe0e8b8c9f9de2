import os

import numpy
import psycopg2
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/health")
def health():
    return "ok\n"


@app.get("/monthly")
def monthly():
    with psycopg2.connect(os.environ["DATABASE_URL"]) as db, db.cursor() as cursor:
        cursor.execute("SELECT total FROM orders WHERE placed > now() - interval '1 month'")
        totals = numpy.array([row[0] for row in cursor.fetchall()], dtype=float)
    return jsonify(count=int(totals.size), mean=float(totals.mean()) if totals.size else 0.0)
